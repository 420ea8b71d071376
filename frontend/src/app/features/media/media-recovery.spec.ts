import { describe, expect, it } from 'vitest';
import {
  DISCONNECTED_GRACE_MS,
  ICE_RESTART_CHECK_MS,
  initialRecovery,
  nextRecovery,
  RecoveryInput,
  RecoveryModel,
} from './media-recovery';
import { reconnectDelay } from './reconnect-backoff';

/** Runs inputs through the rules, collecting every action. */
function run(inputs: RecoveryInput[], from: RecoveryModel = initialRecovery) {
  let model = from;
  const actions = [];
  for (const input of inputs) {
    const step = nextRecovery(model, input);
    model = step.model;
    actions.push(...step.actions);
  }
  return { model, actions };
}

describe('media recovery rules', () => {
  it('rule 1: the first join shows "connecting", every later one "reconnecting"', () => {
    expect(run([{ type: 'join-started' }]).model.state).toBe('connecting');
    expect(
      run([{ type: 'join-started' }, { type: 'joined', resumed: false }, { type: 'join-started' }]).model.state,
    ).toBe('reconnecting');
    expect(run([{ type: 'join-started' }, { type: 'join-failed' }, { type: 'join-started' }]).model.state).toBe(
      'reconnecting',
    );
  });

  it('rule 2: failed joins are retried after 1, 2, 4, 8 s, then every 15 s', () => {
    const failures: RecoveryInput[] = [];
    for (let i = 0; i < 7; i++) failures.push({ type: 'join-started' }, { type: 'join-failed' });
    const { model, actions } = run(failures);
    expect(model).toEqual({ state: 'failed', failures: 7 });
    expect(actions).toEqual(
      [1000, 2000, 4000, 8000, 15_000, 15_000, 15_000].map((afterMs) => ({ type: 'retry-join', afterMs })),
    );
  });

  it('rule 2: a join that rebuilt the transports resets the backoff and clears the error; a resumed one only shows connected', () => {
    const failed = run([
      { type: 'join-started' },
      { type: 'join-failed' },
      { type: 'join-started' },
      { type: 'join-failed' },
    ]).model;
    const resumed = nextRecovery(failed, { type: 'joined', resumed: true });
    expect(resumed).toEqual({ model: { state: 'connected', failures: 2 }, actions: [] });
    const rebuilt = nextRecovery(failed, { type: 'joined', resumed: false });
    expect(rebuilt).toEqual({ model: { state: 'connected', failures: 0 }, actions: [{ type: 'clear-error' }] });
    expect(nextRecovery(rebuilt.model, { type: 'join-failed' }).actions).toEqual([
      { type: 'retry-join', afterMs: 1000 },
    ]);
  });

  it('rule 3: a disconnected transport is given a grace period, a failed one has its ICE restarted at once', () => {
    const connected: RecoveryModel = { state: 'connected', failures: 0 };
    expect(nextRecovery(connected, { type: 'transport-state', transportId: 't1', connection: 'disconnected' })).toEqual(
      {
        model: { state: 'reconnecting', failures: 0 },
        actions: [
          { type: 'cancel-transport-timer', transportId: 't1' },
          { type: 'restart-ice', transportId: 't1', afterMs: DISCONNECTED_GRACE_MS },
        ],
      },
    );
    expect(
      nextRecovery(connected, { type: 'transport-state', transportId: 't2', connection: 'failed' }).actions,
    ).toEqual([
      { type: 'cancel-transport-timer', transportId: 't2' },
      { type: 'restart-ice', transportId: 't2', afterMs: 0 },
    ]);
  });

  it('rule 3: a transport connected again shows "connected" (only when reconnecting) and cancels its pending restart', () => {
    const reconnecting: RecoveryModel = { state: 'reconnecting', failures: 0 };
    const back = nextRecovery(reconnecting, { type: 'transport-state', transportId: 't1', connection: 'connected' });
    expect(back).toEqual({
      model: { state: 'connected', failures: 0 },
      actions: [{ type: 'cancel-transport-timer', transportId: 't1' }, { type: 'clear-error' }],
    });
    // While the first join is still under way, a transport connecting does not claim the whole media is.
    const connecting: RecoveryModel = { state: 'connecting', failures: 0 };
    expect(
      nextRecovery(connecting, { type: 'transport-state', transportId: 't1', connection: 'connected' }).model.state,
    ).toBe('connecting');
    // Other states only cancel what was pending.
    expect(
      nextRecovery(reconnecting, { type: 'transport-state', transportId: 't1', connection: 'connecting' }),
    ).toEqual({
      model: reconnecting,
      actions: [{ type: 'cancel-transport-timer', transportId: 't1' }],
    });
  });

  it('rule 4: a refused ICE restart means a full rejoin; a granted one is checked later and rejoins only if still down', () => {
    const m: RecoveryModel = { state: 'reconnecting', failures: 0 };
    expect(nextRecovery(m, { type: 'ice-restart-failed', transportId: 't1' }).actions).toEqual([{ type: 'rejoin' }]);
    expect(nextRecovery(m, { type: 'ice-restarted', transportId: 't1' }).actions).toEqual([
      { type: 'check-ice', transportId: 't1', afterMs: ICE_RESTART_CHECK_MS },
    ]);
    expect(nextRecovery(m, { type: 'ice-check', transportId: 't1', connection: 'disconnected' }).actions).toEqual([
      { type: 'rejoin' },
    ]);
    expect(nextRecovery(m, { type: 'ice-check', transportId: 't1', connection: 'connected' }).actions).toEqual([]);
  });

  it('a network blip end to end: disconnected, restart granted, still down after the check, full rejoin, back', () => {
    const { model, actions } = run([
      { type: 'join-started' },
      { type: 'joined', resumed: false },
      { type: 'transport-state', transportId: 'send', connection: 'disconnected' },
      { type: 'ice-restarted', transportId: 'send' },
      { type: 'ice-check', transportId: 'send', connection: 'failed' },
      { type: 'join-started' },
      { type: 'joined', resumed: false },
    ]);
    expect(model).toEqual({ state: 'connected', failures: 0 });
    expect(actions.map((a) => a.type)).toEqual([
      'clear-error',
      'cancel-transport-timer',
      'restart-ice',
      'check-ice',
      'rejoin',
      'clear-error',
    ]);
  });
});

describe('reconnect backoff', () => {
  it('doubles from one second and stays at fifteen', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(reconnectDelay)).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });
});
