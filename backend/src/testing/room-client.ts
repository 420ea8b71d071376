import { io, type Socket } from 'socket.io-client';
import type { Ack, AckData, ClientEventName, ClientPayload, ServerPayloads } from '../contracts/realtime';

/** A live-room client for tests (socket.io-client over websocket, like the Angular app). */
export class RoomClient {
  readonly socket: Socket;
  private readonly received: Array<{ event: string; payload: unknown }> = [];

  constructor(url: string, token: string | null, opts: { reconnection?: boolean; ca?: string } = {}) {
    this.socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: token ? { token } : {},
      reconnection: opts.reconnection ?? false,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      timeout: 5000,
      forceNew: true,
      // A test's own certificate authority (wss through the deploy recipe's HAProxy).
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    this.socket.onAny((event, payload) => this.received.push({ event, payload }));
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (e) => reject(e));
    });
  }

  /** Resolves with the connect error message (the server's refusal code). */
  refused(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => reject(new Error('connected, but a refusal was expected')));
      this.socket.once('connect_error', (e) => resolve(e.message));
    });
  }

  emit<E extends ClientEventName>(event: E, payload: ClientPayload<E> | unknown): Promise<Ack<AckData[E]>> {
    return this.socket.timeout(5000).emitWithAck(event, payload) as Promise<Ack<AckData[E]>>;
  }

  /** Any event of the live room's socket (whiteboard, media), untyped: the caller's contract types the result. */
  call<T = unknown>(
    event: string,
    payload: unknown,
  ): Promise<{ ok: true; data: T } | { ok: false; error: { code: string; message: string } }> {
    return this.socket.timeout(8000).emitWithAck(event, payload);
  }

  /** Events of a kind received so far. */
  got<P extends object = ServerPayloads, E extends keyof P & string = keyof P & string>(event: E): P[E][] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as P[E]);
  }

  /** Waits for an event matching `match`, received before or after the call. */
  async waitFor<P extends object = ServerPayloads, E extends keyof P & string = keyof P & string>(
    event: E,
    match: (p: P[E]) => boolean = () => true,
    timeoutMs = 8000,
  ): Promise<P[E]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.got<P, E>(event).find(match);
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(
          `no ${event} matching within ${timeoutMs} ms; got: ${JSON.stringify(this.received.map((r) => r.event))}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  close() {
    this.socket.disconnect();
  }
}
