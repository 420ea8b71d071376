import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { MediaPolicy, MediaServerPayloads, ProducerInfo } from '../../contracts/media';
import { placeConsumer } from '../domain/allocation';
import { classVideoCodec, routerCodecs, VideoMime } from '../domain/codecs';
import { qualityFromScores } from '../domain/quality';
import type { MediaPeer, ProducerData } from './media-peer';
import type { WorkerPool } from './worker-pool';

/** How the room reaches browsers: to everyone in the class, or to one socket. Implemented by the gateway. */
export interface MediaNotifier {
  toRoom<E extends keyof MediaServerPayloads>(sessionId: string, event: E, payload: MediaServerPayloads[E]): void;
  toSocket<E extends keyof MediaServerPayloads>(socketId: string, event: E, payload: MediaServerPayloads[E]): void;
}

interface RoomRouter {
  workerIndex: number;
  router: types.Router;
  speaker: types.ActiveSpeakerObserver;
}

/**
 * The SFU side of one class: a router per worker it is spread over (one, until a worker is full),
 * its peers, and an active-speaker observer per router. Producers are piped to a peer's router on
 * demand. `close()` is idempotent, closes every router (and so every transport, producer and
 * consumer) and announces `closed`; the room closes itself when its last peer leaves.
 */
export class MediaRoom extends EventEmitter<{ closed: [] }> {
  readonly peers = new Map<string, MediaPeer>();
  private readonly routers = new Map<number, RoomRouter>();
  private readonly creating = new Map<number, Promise<RoomRouter>>();
  /** Producer id → the worker indexes it has been piped to. */
  private readonly piped = new Map<string, Set<number>>();
  private dominant: { peerId: string; userId: string } | null = null;
  /** What the class's cameras and screens send in (see classVideoCodec). */
  videoCodec: VideoMime = 'video/VP8';
  private isClosed = false;

  constructor(
    readonly sessionId: string,
    private readonly pool: WorkerPool,
    private readonly notify: MediaNotifier,
    public policy: MediaPolicy,
    private readonly capacity: number,
  ) {
    super();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The peer id of the current dominant speaker. */
  get activeSpeaker(): string | null {
    return this.dominant?.peerId ?? null;
  }

  workerIndexes(): number[] {
    return [...this.routers.keys()];
  }

  router(workerIndex: number): types.Router {
    const r = this.routers.get(workerIndex);
    if (!r) throw new Error(`room ${this.sessionId} has no router on worker ${workerIndex}`);
    return r.router;
  }

  /** Where a new peer's transports go (allocation policy), creating the router there if needed. */
  async placePeer(): Promise<number> {
    const placement = placeConsumer([...this.routers.keys()].map((workerIndex) => ({ workerIndex })), this.pool.loads(), this.capacity);
    await this.ensureRouter(placement.workerIndex);
    return placement.workerIndex;
  }

  private ensureRouter(workerIndex: number): Promise<RoomRouter> {
    const existing = this.routers.get(workerIndex);
    if (existing) return Promise.resolve(existing);
    let pending = this.creating.get(workerIndex);
    if (!pending) {
      pending = (async () => {
        const { worker } = this.pool.get(workerIndex);
        const router = await worker.createRouter({ mediaCodecs: routerCodecs.map((c) => ({ ...c, parameters: { ...c.parameters } })) as types.RouterRtpCodecCapability[] });
        const speaker = await router.createActiveSpeakerObserver({ interval: 300 });
        speaker.on('dominantspeaker', ({ producer }) => {
          const data = producer.appData as ProducerData;
          if (this.dominant?.peerId === data.peerId) return;
          this.dominant = { peerId: data.peerId, userId: data.userId };
          this.notify.toRoom(this.sessionId, 'media:active-speaker', { userId: data.userId, peerId: data.peerId });
        });
        const entry = { workerIndex, router, speaker };
        if (this.isClosed) {
          router.close();
          throw new Error('room closed');
        }
        this.routers.set(workerIndex, entry);
        return entry;
      })().finally(() => this.creating.delete(workerIndex));
      this.creating.set(workerIndex, pending);
    }
    return pending;
  }

  /** Every producer of the room except those of `exceptPeer`, as the wire shows them. */
  producers(exceptPeer?: string): ProducerInfo[] {
    const out: ProducerInfo[] = [];
    for (const peer of this.peers.values()) {
      if (peer.id === exceptPeer) continue;
      for (const p of peer.producers.values()) out.push(producerInfo(p));
    }
    return out;
  }

  findProducer(producerId: string): { peer: MediaPeer; producer: types.Producer<ProducerData> } | null {
    for (const peer of this.peers.values()) {
      const producer = peer.producers.get(producerId);
      if (producer) return { peer, producer };
    }
    return null;
  }

  /** Makes a producer available on `workerIndex`'s router (piping it there once) and returns that router. */
  async routerFor(producerPeer: MediaPeer, producerId: string, workerIndex: number): Promise<types.Router> {
    const target = this.router(workerIndex);
    if (producerPeer.workerIndex === workerIndex) return target;
    const done = this.piped.get(producerId) ?? new Set<number>();
    if (!done.has(workerIndex)) {
      await this.router(producerPeer.workerIndex).pipeToRouter({ producerId, router: target });
      done.add(workerIndex);
      this.piped.set(producerId, done);
    }
    return target;
  }

  /** Registers a new producer: speaker detection for voices, scores as the person's quality, and the room told. */
  addProducer(peer: MediaPeer, producer: types.Producer<ProducerData>): void {
    peer.producers.set(producer.id, producer);
    if (producer.appData.source === 'mic') void this.routers.get(peer.workerIndex)?.speaker.addProducer({ producerId: producer.id }).catch(() => undefined);
    let last = -1;
    producer.on('score', () => {
      const score = qualityFromScores([...peer.producers.values()].map((p) => p.score.map((s) => s.score)));
      if (score === last) return;
      last = score;
      this.notify.toRoom(this.sessionId, 'media:quality', { peerId: peer.id, userId: peer.identity.userId, score });
    });
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      this.piped.delete(producer.id);
      if (this.dominant?.peerId === peer.id && ![...peer.producers.values()].some((p) => p.appData.source === 'mic')) {
        this.dominant = null;
        this.notify.toRoom(this.sessionId, 'media:active-speaker', { userId: null, peerId: null });
      }
    });
    this.notify.toRoom(this.sessionId, 'media:producer-added', producerInfo(producer));
  }

  addPeer(peer: MediaPeer): void {
    this.peers.set(peer.id, peer);
    peer.once('closed', () => {
      this.peers.delete(peer.id);
      if (this.peers.size === 0) this.close();
      else this.refreshVideoCodec();
    });
  }

  /** Re-decides the class's video codec from who is here; tells everyone when it changes. */
  refreshVideoCodec(): void {
    const decodable = [...this.peers.values()]
      .filter((p) => p.rtpCapabilities)
      .map((p) => (p.rtpCapabilities!.codecs ?? []).filter((c) => c.kind === 'video').map((c) => c.mimeType));
    const codec = classVideoCodec(decodable);
    if (codec === this.videoCodec) return;
    this.videoCodec = codec;
    this.notify.toRoom(this.sessionId, 'media:video-codec', { mimeType: codec });
  }

  /** Consumers on each worker, for the pool's load figures. */
  countConsumer(workerIndex: number, delta: 1 | -1): void {
    try {
      this.pool.get(workerIndex).consumers += delta;
    } catch {
      // The worker died; its replacement starts from zero.
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const peer of [...this.peers.values()]) peer.close();
    for (const r of this.routers.values()) r.router.close();
    this.routers.clear();
    this.emit('closed');
  }
}

export function producerInfo(p: types.Producer<ProducerData>): ProducerInfo {
  return { producerId: p.id, peerId: p.appData.peerId, userId: p.appData.userId, kind: p.kind, source: p.appData.source, paused: p.paused };
}
