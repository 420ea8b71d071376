import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { MediaPolicy, MediaServerEvents, MediaServerMessage, ProducerInfo } from '../../contracts/media';
import { pickWorker, placeConsumer } from '../domain/allocation';
import { ClassSpeaker, NO_SPEAKER, VoiceReport } from '../domain/class-speaker';
import { classVideoCodec, routerCodecs, VideoMime } from '../domain/codecs';
import { qualityFromScores } from '../domain/quality';
import { HostLinks, HostLinksOptions } from './host-links';
import { MediaPeer, PeerIdentity, ProducerData } from './media-peer';
import type { WorkerPool } from './worker-pool';

/** How the room reaches browsers: everyone in the class, or one socket (given at construction by the media service). */
export interface MediaNotifier {
  toClass(sessionId: string, message: MediaServerMessage): void;
  toSocket(socketId: string, message: MediaServerMessage): void;
}

interface RoomRouter {
  workerIndex: number;
  router: types.Router;
  /** Its own people's microphones' levels (a voice pulled from another host is that host's to hear). */
  levels: types.AudioLevelObserver;
}

/** Loud enough to be speaking (dBov, averaged over an interval): above room noise and a quiet microphone's hiss. */
const SPEAKING_DBOV = -55;
const LEVEL_INTERVAL_MS = 300;

/**
 * The SFU side of one class: a router per worker it is spread over (one, until a worker is full),
 * its peers, and an audio level observer per router (the class's speaker is decided over every host
 * from what they hear: media/class-speakers.ts; the room holds the decision it was told). Producers
 * are piped to a peer's router on demand. `close()` is idempotent, closes every router (and so every transport, producer and
 * consumer) and announces `closed`; the room closes itself when its last peer leaves.
 */
export interface MediaRoomEvents {
  closed: [];
  /** A peer's new producer, registered (recording capture follows producers through this). */
  producer: [peer: MediaPeer, producer: types.Producer<ProducerData>];
  /** The class's speaker changed (the live broadcast follows the voice). */
  speaker: [];
  /** What one router's observer hears of this host's people now (empty: silence), every interval while someone is loud. */
  voices: [workerIndex: number, voices: Array<Omit<VoiceReport, 'at'>>];
  /** A peer's last microphone here closed (if they held the floor, they no longer do). */
  micClosed: [peerId: string];
}

export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  private readonly peerMap = new Map<string, MediaPeer>();
  private readonly routers = new Map<number, RoomRouter>();
  private readonly creating = new Map<number, Promise<RoomRouter>>();
  /** Producer id → the worker indexes it has been piped to. */
  private readonly piped = new Map<string, Set<number>>();
  /** The class's speaker as last decided (by any host), with its version. */
  private speakerState: ClassSpeaker = NO_SPEAKER;
  /** What the class's cameras and screens send in (see classVideoCodec). */
  videoCodec: VideoMime = 'video/VP8';
  private isClosed = false;
  /** Its links to the class's other media hosts (when the class is spread over several). */
  readonly links: HostLinks | null;

  constructor(
    readonly sessionId: string,
    private readonly pool: WorkerPool,
    private readonly notify: MediaNotifier,
    public policy: MediaPolicy,
    private readonly capacity: number,
    links?: Pick<HostLinksOptions, 'broker' | 'listen' | 'ports' | 'srtp'>,
  ) {
    super();
    this.links = links
      ? new HostLinks({
          ...links,
          sessionId,
          anyRouter: () => this.anyRouter(),
          localProducer: (producerId) => {
            const found = this.findOwnProducer(producerId);
            return found ? { producer: found.producer, workerIndex: found.peer.workerIndex } : null;
          },
          routerFor: (from, producerId, to) => this.routerFor(from, producerId, to),
        })
      : null;
  }

  /** A router of the class here: the first it has, else one on the least-loaded live worker. */
  private async anyRouter(): Promise<{ workerIndex: number; router: types.Router }> {
    const first = this.routers.values().next();
    if (!first.done) return { workerIndex: first.value.workerIndex, router: first.value.router };
    const index = pickWorker(this.pool.loads());
    if (index === null) throw new Error('no live mediasoup worker');
    const { router } = await this.ensureRouter(index);
    return { workerIndex: index, router };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Its peers, by peer id (added by `join`, dropped when they close). */
  get peers(): ReadonlyMap<string, MediaPeer> {
    return this.peerMap;
  }

  /** The peer id of the class's speaker now (as decided over all its hosts). */
  get activeSpeaker(): string | null {
    return this.speakerState.speaker?.peerId ?? null;
  }

  /** The user id of the class's speaker now. */
  get activeSpeakerUserId(): string | null {
    return this.speakerState.speaker?.userId ?? null;
  }

  /** The class's speaker as decided (here or on another host): kept if newer than what the room has; `speaker` when it changed. */
  applySpeaker(state: ClassSpeaker): void {
    if (state.version <= this.speakerState.version) return;
    const before = this.speakerState.speaker?.peerId;
    this.speakerState = state;
    if (state.speaker?.peerId !== before) this.emit('speaker');
  }

  workerIndexes(): number[] {
    return [...this.routers.keys()];
  }

  router(workerIndex: number): types.Router {
    const r = this.routers.get(workerIndex);
    if (!r) throw new Error(`room ${this.sessionId} has no router on worker ${workerIndex}`);
    return r.router;
  }

  /** A new peer, placed on a worker by the allocation policy (its router created there if needed). */
  async join(identity: PeerIdentity, socketId: string): Promise<MediaPeer> {
    const { workerIndex } = placeConsumer(
      [...this.routers.keys()].map((i) => ({ workerIndex: i })),
      this.pool.loads(),
      this.capacity,
    );
    const { router } = await this.ensureRouter(workerIndex);
    const peer = MediaPeer.create({
      identity,
      socketId,
      workerIndex,
      router,
      webRtcServer: this.pool.get(workerIndex).webRtcServer,
    });
    this.addPeer(peer);
    return peer;
  }

  private ensureRouter(workerIndex: number): Promise<RoomRouter> {
    const existing = this.routers.get(workerIndex);
    if (existing) return Promise.resolve(existing);
    let pending = this.creating.get(workerIndex);
    if (!pending) {
      pending = (async () => {
        const { worker } = this.pool.get(workerIndex);
        const router = await worker.createRouter({
          mediaCodecs: routerCodecs.map((c) => ({
            ...c,
            parameters: { ...c.parameters },
          })) as types.RouterRtpCodecCapability[],
        });
        const levels = await router.createAudioLevelObserver({
          maxEntries: 4,
          threshold: SPEAKING_DBOV,
          interval: LEVEL_INTERVAL_MS,
        });
        levels.on('volumes', (volumes) =>
          this.emit(
            'voices',
            workerIndex,
            // A microphone closed since the worker measured it is nobody's voice any more.
            volumes
              .filter(({ producer }) => !producer.closed)
              .map(({ producer, volume }) => {
                const data = producer.appData as ProducerData;
                return { peerId: data.peerId, userId: data.userId, level: volume };
              }),
          ),
        );
        levels.on('silence', () => this.emit('voices', workerIndex, []));
        const entry = { workerIndex, router, levels };
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
    for (const peer of this.peerMap.values()) {
      if (peer.id === exceptPeer) continue;
      for (const p of peer.producers.values()) out.push(producerInfo(p));
    }
    return out;
  }

  /** A producer of one of this host's own peers. */
  findOwnProducer(producerId: string): { peer: MediaPeer; producer: types.Producer<ProducerData> } | null {
    for (const peer of this.peerMap.values()) {
      const producer = peer.producers.get(producerId);
      if (producer) return { peer, producer };
    }
    return null;
  }

  /** A producer of the class available here: one of this host's peers', or one pulled from another host; with its worker. */
  findProducer(producerId: string): { producer: types.Producer<ProducerData>; workerIndex: number } | null {
    const own = this.findOwnProducer(producerId);
    if (own) return { producer: own.producer, workerIndex: own.peer.workerIndex };
    return this.links?.pulled(producerId) ?? null;
  }

  /** Makes a producer of worker `from` available on worker `to`'s router (piping it there once) and returns that router. */
  async routerFor(from: number, producerId: string, to: number): Promise<types.Router> {
    const target = this.router(to);
    if (from === to) return target;
    const done = this.piped.get(producerId) ?? new Set<number>();
    if (!done.has(to)) {
      const piped = await this.router(from).pipeToRouter({ producerId, router: target });
      done.add(to);
      this.piped.set(producerId, done);
      // A producer pulled from another host closes without this room hearing of it: forget its pipes then.
      piped.pipeProducer?.observer.once('close', () => this.piped.delete(producerId));
    }
    return target;
  }

  /** A producer a peer created: speaker detection for voices, scores as the person's quality, and the class told of it and of its end. */
  private producerAdded(peer: MediaPeer, producer: types.Producer<ProducerData>): void {
    if (producer.appData.source === 'mic')
      void this.routers
        .get(peer.workerIndex)
        ?.levels.addProducer({ producerId: producer.id })
        .catch(() => undefined);
    let last = -1;
    producer.on('score', () => {
      const score = qualityFromScores([...peer.producers.values()].map((p) => p.score.map((s) => s.score)));
      if (score === last) return;
      last = score;
      this.notify.toClass(this.sessionId, {
        event: MediaServerEvents.quality,
        payload: { peerId: peer.id, userId: peer.identity.userId, score },
      });
    });
    producer.observer.once('close', () => {
      const { source, closedByTeacher } = producer.appData;
      this.notify.toClass(this.sessionId, {
        event: MediaServerEvents.producerClosed,
        payload: { producerId: producer.id, peerId: peer.id, source, byTeacher: !!closedByTeacher },
      });
      this.piped.delete(producer.id);
      if (source === 'mic' && !peer.producerOf('mic')) this.emit('micClosed', peer.id);
    });
    this.notify.toClass(this.sessionId, { event: MediaServerEvents.producerAdded, payload: producerInfo(producer) });
    this.emit('producer', peer, producer);
  }

  /** A consumer a peer created counts on its worker (the pool's load figures) until it closes. */
  private consumerAdded(peer: MediaPeer, consumer: types.Consumer): void {
    this.countConsumer(peer.workerIndex, 1);
    consumer.observer.once('close', () => this.countConsumer(peer.workerIndex, -1));
  }

  private addPeer(peer: MediaPeer): void {
    this.peerMap.set(peer.id, peer);
    peer.on('newProducer', (producer) => this.producerAdded(peer, producer));
    peer.on('newConsumer', (consumer) => this.consumerAdded(peer, consumer));
    peer.on('consumerLost', (lost) =>
      this.notify.toSocket(peer.socketId, { event: MediaServerEvents.consumerClosed, payload: lost }),
    );
    peer.once('closed', () => {
      this.peerMap.delete(peer.id);
      if (this.peerMap.size === 0) this.close();
      else this.refreshVideoCodec();
    });
  }

  /** Re-decides the class's video codec from who is here; tells everyone when it changes. */
  refreshVideoCodec(): void {
    const decodable = [...this.peerMap.values()]
      .filter((p) => p.rtpCapabilities)
      .map((p) => (p.rtpCapabilities!.codecs ?? []).filter((c) => c.kind === 'video').map((c) => c.mimeType));
    const codec = classVideoCodec(decodable);
    if (codec === this.videoCodec) return;
    this.videoCodec = codec;
    this.notify.toClass(this.sessionId, { event: MediaServerEvents.videoCodec, payload: { mimeType: codec } });
  }

  private countConsumer(workerIndex: number, delta: 1 | -1): void {
    try {
      this.pool.get(workerIndex).consumers += delta;
    } catch {
      // The worker died; its replacement starts from zero.
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.links?.close();
    for (const peer of [...this.peerMap.values()]) peer.close();
    for (const r of this.routers.values()) r.router.close();
    this.routers.clear();
    this.emit('closed');
  }
}

export function producerInfo(p: types.Producer<ProducerData>): ProducerInfo {
  return {
    producerId: p.id,
    peerId: p.appData.peerId,
    userId: p.appData.userId,
    kind: p.kind,
    source: p.appData.source,
    paused: p.paused,
  };
}
