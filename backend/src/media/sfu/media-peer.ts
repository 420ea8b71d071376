import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { MediaSource } from '../../contracts/media';

export interface PeerIdentity {
  peerId: string;
  userId: string;
  name: string;
  canTeach: boolean;
}

export interface ProducerData {
  [key: string]: unknown;
  peerId: string;
  userId: string;
  source: MediaSource;
  pausedByTeacher?: boolean;
}

/**
 * One browser tab's media in a room: its transports (all on one router, the one it was placed on),
 * producers and consumers. `close()` is idempotent, closes the transports (which closes every producer
 * and consumer on them), cancels the grace timer and announces `closed` once.
 */
export class MediaPeer extends EventEmitter<{ closed: [] }> {
  readonly transports = new Map<string, types.WebRtcTransport>();
  readonly producers = new Map<string, types.Producer<ProducerData>>();
  readonly consumers = new Map<string, types.Consumer>();
  rtpCapabilities: types.RtpCapabilities | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private isClosed = false;

  constructor(
    readonly identity: PeerIdentity,
    /** The socket it signals on; rebound when the same tab reconnects within the grace period. */
    public socketId: string,
    /** The worker index of the router its transports live on. */
    readonly workerIndex: number,
  ) {
    super();
  }

  get id(): string {
    return this.identity.peerId;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  transportOf(direction: 'send' | 'recv'): types.WebRtcTransport | undefined {
    for (const t of this.transports.values()) if (t.appData.direction === direction && !t.closed) return t;
    return undefined;
  }

  producerOf(source: MediaSource): types.Producer<ProducerData> | undefined {
    for (const p of this.producers.values()) if (p.appData.source === source) return p;
    return undefined;
  }

  /** Starts (or restarts) the countdown after which a peer whose socket dropped is closed. */
  startGrace(ms: number): void {
    this.cancelGrace();
    this.graceTimer = setTimeout(() => this.close(), ms);
    this.graceTimer.unref();
  }

  cancelGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  get inGrace(): boolean {
    return this.graceTimer !== null;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.cancelGrace();
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.emit('closed');
  }
}
