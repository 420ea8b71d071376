import WebSocket from 'ws';

type AnyAck = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * A live-room socket spoken at the wire, as an attacker would: engine.io v4 / socket.io v5 packets over
 * a plain WebSocket, so several events can be put into ONE TCP write (the socket is corked around the
 * frames), which socket.io-client never does. Used by the attack suite to pipeline an event behind a
 * `room:join` so both reach the server together.
 */
export class RawRoomSocket {
  private nextAck = 1;
  private readonly acks = new Map<number, (a: AnyAck) => void>();
  readonly events: Array<{ event: string; payload: unknown }> = [];
  private closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => this.onPacket(String(raw)));
    ws.on('close', () => {
      this.closed = true;
      for (const resolve of this.acks.values())
        resolve({ ok: false, error: { code: 'SOCKET_CLOSED', message: 'socket closed before the ack' } });
      this.acks.clear();
    });
  }

  /** Opens the socket and authenticates with the session token; rejects with the server's refusal code. */
  static open(baseUrl: string, token: string): Promise<RawRoomSocket> {
    const url = baseUrl.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket';
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('raw socket: no connect within 5 s')), 5000);
      const onMessage = (raw: WebSocket.RawData) => {
        const p = String(raw);
        if (p.startsWith('0')) ws.send(`40${JSON.stringify({ token })}`);
        else if (p.startsWith('40')) {
          clearTimeout(timer);
          ws.off('message', onMessage);
          resolve(new RawRoomSocket(ws));
        } else if (p.startsWith('44')) {
          clearTimeout(timer);
          reject(new Error(`refused: ${p.slice(2)}`));
        }
      };
      ws.on('message', onMessage);
      ws.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  private onPacket(p: string) {
    if (p === '2') return void this.ws.send('3'); // ping -> pong
    if (p.startsWith('43')) {
      const m = /^43(\d+)(.*)$/s.exec(p);
      if (!m) return;
      const [data] = JSON.parse(m[2]) as [AnyAck];
      this.acks.get(Number(m[1]))?.(data);
      this.acks.delete(Number(m[1]));
    } else if (p.startsWith('42')) {
      const [event, payload] = JSON.parse(p.slice(2)) as [string, unknown];
      this.events.push({ event, payload });
    }
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends every event in one write; resolves with their acks in order (SOCKET_CLOSED when none came). */
  pipeline(events: Array<[event: string, payload: unknown]>, timeoutMs = 8000): Promise<AnyAck[]> {
    const waits: Promise<AnyAck>[] = [];
    const frames: string[] = [];
    for (const [event, payload] of events) {
      const id = this.nextAck++;
      waits.push(
        new Promise<AnyAck>((resolve) => {
          const timer = setTimeout(() => {
            this.acks.delete(id);
            resolve({ ok: false, error: { code: 'NO_ACK', message: `no ack for ${event} within ${timeoutMs} ms` } });
          }, timeoutMs);
          this.acks.set(id, (a) => {
            clearTimeout(timer);
            resolve(a);
          });
        }),
      );
      frames.push(`42${id}${JSON.stringify([event, payload])}`);
    }
    const sock = (this.ws as unknown as { _socket: import('node:net').Socket })._socket;
    sock.cork();
    for (const f of frames) this.ws.send(f);
    sock.uncork();
    return Promise.all(waits);
  }

  async emit(event: string, payload: unknown): Promise<AnyAck> {
    return (await this.pipeline([[event, payload]]))[0];
  }

  /** Resolves when the server closes the socket (true) or after timeoutMs (false). */
  closedWithin(timeoutMs: number): Promise<boolean> {
    if (!this.isOpen) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}
