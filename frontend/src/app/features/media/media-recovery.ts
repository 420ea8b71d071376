import { reconnectDelay } from './reconnect-backoff';

/** Where the class's media stands, as the media bar shows it. */
export type MediaConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** What the recovery remembers between inputs: the state shown and how many joins failed in a row. */
export interface RecoveryModel {
  readonly state: MediaConnectionState;
  readonly failures: number;
}

export const initialRecovery: RecoveryModel = { state: 'idle', failures: 0 };

/** A transport's connection state, as RTCPeerConnection reports it. */
export type TransportConnection = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** What happened: a join attempt began, ended, or a transport's connection changed. */
export type RecoveryInput =
  | { type: 'join-started' }
  /** resumed: the server kept our transports through the blip, nothing was rebuilt. */
  | { type: 'joined'; resumed: boolean }
  | { type: 'join-failed' }
  | { type: 'transport-state'; transportId: string; connection: TransportConnection }
  | { type: 'ice-restarted'; transportId: string }
  | { type: 'ice-restart-failed'; transportId: string }
  /** The check a while after an ICE restart: is the transport connected again? */
  | { type: 'ice-check'; transportId: string; connection: TransportConnection };

/** What the client must do next; timers are the client's, the decisions are here. */
export type RecoveryAction =
  /** Forget the transport's pending ICE restart or check. */
  | { type: 'cancel-transport-timer'; transportId: string }
  | { type: 'restart-ice'; transportId: string; afterMs: number }
  | { type: 'check-ice'; transportId: string; afterMs: number }
  /** Drop everything local and join again, now. */
  | { type: 'rejoin' }
  /** Try the join again after the backoff (replacing any retry already waiting). */
  | { type: 'retry-join'; afterMs: number }
  | { type: 'clear-error' };

export interface RecoveryStep {
  model: RecoveryModel;
  actions: RecoveryAction[];
}

/** A transport that dropped gets this long to come back by itself before its ICE is restarted. */
export const DISCONNECTED_GRACE_MS = 2000;
/** After an ICE restart, a transport not connected within this long means a full rejoin. */
export const ICE_RESTART_CHECK_MS = 10_000;

/**
 * The media recovery's rules, as one pure function:
 * 1. A join attempt shows "connecting" the first time, "reconnecting" after that.
 * 2. A join that fails shows "failed" and is retried after the backoff (1, 2, 4, 8, then every 15 s);
 *    a join that rebuilt the transports resets the backoff and clears the error.
 * 3. A transport that disconnects gets its ICE restarted after a grace period (at once when it failed);
 *    the media shows "reconnecting" meanwhile, and "connected" when the transport is connected again.
 * 4. An ICE restart the server refuses, or one after which the transport is still not connected
 *    after a while, means a full rejoin.
 */
export function nextRecovery(model: RecoveryModel, input: RecoveryInput): RecoveryStep {
  switch (input.type) {
    case 'join-started':
      return { model: { ...model, state: model.state === 'idle' ? 'connecting' : 'reconnecting' }, actions: [] };
    case 'joined':
      if (input.resumed) return { model: { ...model, state: 'connected' }, actions: [] };
      return { model: { state: 'connected', failures: 0 }, actions: [{ type: 'clear-error' }] };
    case 'join-failed':
      return {
        model: { state: 'failed', failures: model.failures + 1 },
        actions: [{ type: 'retry-join', afterMs: reconnectDelay(model.failures) }],
      };
    case 'transport-state': {
      const cancel: RecoveryAction = { type: 'cancel-transport-timer', transportId: input.transportId };
      if (input.connection === 'connected') {
        return {
          model: model.state === 'reconnecting' ? { ...model, state: 'connected' } : model,
          actions: [cancel, { type: 'clear-error' }],
        };
      }
      if (input.connection === 'disconnected' || input.connection === 'failed') {
        const afterMs = input.connection === 'failed' ? 0 : DISCONNECTED_GRACE_MS;
        return {
          model: { ...model, state: 'reconnecting' },
          actions: [cancel, { type: 'restart-ice', transportId: input.transportId, afterMs }],
        };
      }
      return { model, actions: [cancel] };
    }
    case 'ice-restarted':
      return { model, actions: [{ type: 'check-ice', transportId: input.transportId, afterMs: ICE_RESTART_CHECK_MS }] };
    case 'ice-restart-failed':
      return { model, actions: [{ type: 'rejoin' }] };
    case 'ice-check':
      return { model, actions: input.connection === 'connected' ? [] : [{ type: 'rejoin' }] };
    default: {
      const never: never = input;
      throw new Error(`Unknown recovery input ${JSON.stringify(never)}`);
    }
  }
}
