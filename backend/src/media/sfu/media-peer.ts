import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { MediaEvents, MediaPayload, MediaSource, RtpCapabilitiesWire } from '../../contracts/media';
import { ConflictError, DomainError, NotFoundError } from '../../platform/domain-error';

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
  closedByTeacher?: boolean;
}

export interface TransportData {
  [key: string]: unknown;
  direction: 'send' | 'recv';
  peerId: string;
}

export type ProduceParams = MediaPayload<typeof MediaEvents.produce>;

export interface MediaPeerEvents {
  /** Closed, however it happened (left, removed, grace period over, its room closed); emitted once. */
  closed: [];
  /** A producer it created, already in its map (the room registers it: speaker detection, scores, the class told). */
  newProducer: [producer: types.Producer<ProducerData>];
  /** A consumer it created, already in its map (the room counts it on its worker until it closes). */
  newConsumer: [consumer: types.Consumer];
  /** A consumer it closed because the producer it consumed went away (the browser is told). */
  consumerLost: [lost: { consumerId: string; producerId: string }];
}

export interface MediaPeerOptions {
  identity: PeerIdentity;
  /** The socket it signals on. */
  socketId: string;
  /** The worker its router is on, and that router: all its transports live there. */
  workerIndex: number;
  router: types.Router;
  webRtcServer: types.WebRtcServer;
}

/** A send and a receive transport, and room for a client rebuilding one while the old one closes. */
const MAX_TRANSPORTS = 4;

/**
 * One browser tab's media in a room. It creates and owns its transports, producers and consumers (its
 * maps are its own; others read them), finds them for its own requests only, and tells its room what
 * it created through typed events. `close()` is idempotent: it closes the transports (and with them
 * every producer and consumer), cancels the grace timer and announces `closed` once.
 */
export class MediaPeer extends EventEmitter<MediaPeerEvents> {
  private readonly transportMap = new Map<string, types.WebRtcTransport<TransportData>>();
  private readonly producerMap = new Map<string, types.Producer<ProducerData>>();
  private readonly consumerMap = new Map<string, types.Consumer>();
  private caps: types.RtpCapabilities | null = null;
  private socket: string;
  private graceTimer: NodeJS.Timeout | null = null;
  private isClosed = false;
  readonly identity: PeerIdentity;
  readonly workerIndex: number;
  private readonly router: types.Router;
  private readonly webRtcServer: types.WebRtcServer;

  static create(options: MediaPeerOptions): MediaPeer {
    return new MediaPeer(options);
  }

  private constructor(options: MediaPeerOptions) {
    super();
    this.identity = options.identity;
    this.socket = options.socketId;
    this.workerIndex = options.workerIndex;
    this.router = options.router;
    this.webRtcServer = options.webRtcServer;
  }

  get id(): string {
    return this.identity.peerId;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The socket it signals on; another one only when the same tab comes back within the grace period. */
  get socketId(): string {
    return this.socket;
  }

  get transports(): ReadonlyMap<string, types.WebRtcTransport<TransportData>> {
    return this.transportMap;
  }

  get producers(): ReadonlyMap<string, types.Producer<ProducerData>> {
    return this.producerMap;
  }

  get consumers(): ReadonlyMap<string, types.Consumer> {
    return this.consumerMap;
  }

  /** What the browser can receive (null until it said so with media:ready). */
  get rtpCapabilities(): types.RtpCapabilities | null {
    return this.caps;
  }

  setRtpCapabilities(caps: RtpCapabilitiesWire): void {
    this.caps = caps as types.RtpCapabilities;
  }

  transportOf(direction: 'send' | 'recv'): types.WebRtcTransport<TransportData> | undefined {
    for (const t of this.transportMap.values()) if (t.appData.direction === direction && !t.closed) return t;
    return undefined;
  }

  producerOf(source: MediaSource): types.Producer<ProducerData> | undefined {
    for (const p of this.producerMap.values()) if (p.appData.source === source) return p;
    return undefined;
  }

  /** The source one of this peer's producers sends, if it has that producer. */
  sourceOf(producerId: string): MediaSource | undefined {
    return this.producerMap.get(producerId)?.appData.source;
  }

  /** The same tab is back on a new socket within the grace period: it keeps its transports. */
  resume(socketId: string): void {
    this.cancelGrace();
    this.socket = socketId;
  }

  /** Starts (or restarts) the countdown after which a peer whose socket dropped is closed. */
  startGrace(ms: number): void {
    this.cancelGrace();
    this.graceTimer = setTimeout(() => this.close(), ms);
    this.graceTimer.unref();
  }

  private cancelGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  get inGrace(): boolean {
    return this.graceTimer !== null;
  }

  /** A transport on its router; a second one of the same direction replaces the first (a client rebuilding after a failure). */
  async createTransport(direction: 'send' | 'recv'): Promise<types.WebRtcTransport<TransportData>> {
    if (this.transportMap.size >= MAX_TRANSPORTS)
      throw new ConflictError('TOO_MANY_TRANSPORTS', 'This connection already has its transports');
    this.transportOf(direction)?.close();
    const transport = await this.router.createWebRtcTransport<TransportData>({
      webRtcServer: this.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { direction, peerId: this.id },
    });
    this.keepOrDrop(transport);
    this.transportMap.set(transport.id, transport);
    transport.observer.once('close', () => this.transportMap.delete(transport.id));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') transport.close();
    });
    return transport;
  }

  async connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const transport = this.transport(transportId);
    try {
      await transport.connect({ dtlsParameters });
    } catch (e) {
      throw new DomainError(
        'BAD_DTLS_PARAMETERS',
        `The transport refused these DTLS parameters: ${(e as Error).message}`,
        400,
      );
    }
  }

  restartIce(transportId: string): Promise<types.IceParameters> {
    return this.transport(transportId).restartIce();
  }

  /** A producer on its send transport; one per source, so a new camera replaces the old one. Whether it may send at all is the caller's policy. */
  async produce({ transportId, kind, source, rtpParameters }: ProduceParams): Promise<types.Producer<ProducerData>> {
    const transport = this.transport(transportId);
    if (transport.appData.direction !== 'send')
      throw new DomainError('WRONG_TRANSPORT', 'Media is sent on the send transport', 400);
    this.producerOf(source)?.close();
    let producer: types.Producer<ProducerData>;
    try {
      producer = await transport.produce<ProducerData>({
        kind,
        rtpParameters: rtpParameters as types.RtpParameters,
        appData: { peerId: this.id, userId: this.identity.userId, source },
      });
    } catch (e) {
      throw new DomainError('BAD_RTP_PARAMETERS', `The SFU refused these RTP parameters: ${(e as Error).message}`, 400);
    }
    this.keepOrDrop(producer);
    this.producerMap.set(producer.id, producer);
    producer.observer.once('close', () => this.producerMap.delete(producer.id));
    this.emit('newProducer', producer);
    return producer;
  }

  /** The person pauses or resumes their own producer (which lifts a teacher's mute). */
  async setProducerPaused(producerId: string, paused: boolean): Promise<void> {
    const p = this.producer(producerId);
    if (paused) await p.pause();
    else await p.resume();
    p.appData.pausedByTeacher = false;
  }

  closeProducer(producerId: string): void {
    this.producer(producerId).close();
  }

  /** Closes the producer of a source, if any, saying whether a teacher did it (the class is told by the room). */
  closeProducerOf(source: MediaSource, byTeacher: boolean): void {
    const p = this.producerOf(source);
    if (!p) return;
    p.appData.closedByTeacher = byTeacher;
    p.close();
  }

  /** A teacher's mute: the source's producer paused in the SFU. Returns it when this paused it (not when already paused). */
  async pauseByTeacher(source: MediaSource): Promise<types.Producer<ProducerData> | null> {
    const p = this.producerOf(source);
    if (!p || p.paused) return null;
    p.appData.pausedByTeacher = true;
    await p.pause();
    return p;
  }

  /**
   * Consumes a producer of its room on its receive transport, paused until the browser resumes it.
   * `routerWith` makes the producer available on this peer's router (piping it there when it lives on another worker).
   */
  async consume(
    producer: types.Producer<ProducerData>,
    routerWith: () => Promise<types.Router>,
  ): Promise<types.Consumer> {
    const rtpCapabilities = this.caps;
    if (!rtpCapabilities) throw new ConflictError('NOT_READY', 'Send your RTP capabilities (media:ready) first');
    const transport = this.transportOf('recv');
    if (!transport) throw new ConflictError('NO_RECV_TRANSPORT', 'Create a receive transport first');
    const router = await routerWith();
    if (!router.canConsume({ producerId: producer.id, rtpCapabilities }))
      throw new DomainError('CANNOT_CONSUME', 'Your browser cannot decode this stream', 400);
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities,
      paused: true,
      appData: { peerId: this.id },
    });
    this.keepOrDrop(consumer);
    this.consumerMap.set(consumer.id, consumer);
    consumer.observer.once('close', () => this.consumerMap.delete(consumer.id));
    consumer.on('producerclose', () => {
      consumer.close();
      this.emit('consumerLost', { consumerId: consumer.id, producerId: producer.id });
    });
    this.emit('newConsumer', consumer);
    // Video starts on the middle layer until the viewer says how big its tile is. When a viewer's
    // bandwidth runs short, mediasoup lowers simulcast layers (audio is never rationed); slides get
    // their bitrate before faces do.
    if (consumer.type === 'simulcast')
      await consumer.setPreferredLayers({ spatialLayer: 1, temporalLayer: 2 }).catch(() => undefined);
    if (producer.appData.source === 'screen') await consumer.setPriority(3).catch(() => undefined);
    return consumer;
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    await this.consumer(consumerId).resume();
  }

  /** The layers a viewer wants (its tile's size); only simulcast and SVC streams have any. */
  async setConsumerLayers(consumerId: string, layers: { spatialLayer: number; temporalLayer?: number }): Promise<void> {
    const c = this.consumer(consumerId);
    if (c.type === 'simulcast' || c.type === 'svc')
      await c.setPreferredLayers({ spatialLayer: layers.spatialLayer, temporalLayer: layers.temporalLayer ?? 2 });
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.cancelGrace();
    for (const t of this.transportMap.values()) t.close();
    this.transportMap.clear();
    this.producerMap.clear();
    this.consumerMap.clear();
    this.emit('closed');
  }

  /** Something created while the peer closed (the mediasoup call was in flight) is closed at once, and the caller told. */
  private keepOrDrop(made: { close(): void }): void {
    if (!this.isClosed) return;
    made.close();
    throw new NotFoundError('MEDIA_NOT_JOINED', 'The media connection closed');
  }

  private transport(transportId: string): types.WebRtcTransport<TransportData> {
    const t = this.transportMap.get(transportId);
    if (!t || t.closed) throw new NotFoundError('TRANSPORT_NOT_FOUND', 'No such transport on your connection');
    return t;
  }

  private producer(producerId: string): types.Producer<ProducerData> {
    const p = this.producerMap.get(producerId);
    if (!p) throw new NotFoundError('PRODUCER_NOT_FOUND', 'No such producer on your connection');
    return p;
  }

  private consumer(consumerId: string): types.Consumer {
    const c = this.consumerMap.get(consumerId);
    if (!c) throw new NotFoundError('CONSUMER_NOT_FOUND', 'No such consumer on your connection');
    return c;
  }
}
