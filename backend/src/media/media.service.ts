import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import type { types } from 'mediasoup';
import type { AppConfig } from '../config/config';
import type { ConsumerInfo, IceServer, MediaAckData, MediaPolicy, MediaSource, RtpCapabilitiesWire, RtpParametersWire, TransportInfo } from '../contracts/media';
import type { SessionClaims } from '../platform/auth/session-token';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { APP_CONFIG, REDIS } from '../platform/redis';
import { canTeach } from '../tenancy/domain/role-mapping';
import { routerCodecs } from './domain/codecs';
import { DEFAULT_POLICY, produceRefusal } from './domain/policy';
import { turnCredentials } from './domain/turn';
import { MediaPeer, ProducerData } from './sfu/media-peer';
import { MediaNotifier, MediaRoom } from './sfu/media-room';
import { WorkerPool } from './sfu/worker-pool';

const policyKey = (sessionId: string) => `media:policy:${sessionId}`;
const MAX_TRANSPORTS_PER_PEER = 4;

/** What identifies the caller of a media action: the socket and the class it joined. */
export interface MediaCaller {
  session: SessionClaims;
  sessionId: string;
  socketId: string;
  peerId: string | undefined;
}

/**
 * The SFU's rules: who may send what, what a peer may consume, when a peer's media goes away. mediasoup
 * objects live in this process (they are the worker's); what must outlive it lives in Redis (the
 * class's media policy). A worker that dies is replaced, its rooms closed, and their people told to
 * rejoin media, which their browsers do by themselves.
 */
@Injectable()
export class MediaService implements OnModuleDestroy {
  private readonly logger = new Logger('MediaService');
  private pool: WorkerPool | null = null;
  private starting: Promise<WorkerPool> | null = null;
  private readonly rooms = new Map<string, MediaRoom>();
  private readonly opening = new Map<string, Promise<MediaRoom>>();
  private readonly joining = new Map<string, number>();
  notifier: MediaNotifier = { toRoom: () => undefined, toSocket: () => undefined };
  /** Told when a class's media closes here (the cluster releases the class's owner key). */
  onRoomClosed: (sessionId: string) => void = () => undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onModuleDestroy(): void {
    // Shutting down: the socket server and its Redis adapter are going; nobody is told anything more.
    this.notifier = { toRoom: () => undefined, toSocket: () => undefined };
    for (const room of [...this.rooms.values()]) room.close();
    this.pool?.close();
  }

  /**
   * The workers, started on the first media join (a process that never hosts media never spawns
   * them). A worker binary that cannot start is a clear error, tried again at the next join.
   */
  startWorkers(): Promise<WorkerPool> {
    this.starting ??= WorkerPool.create(this.config.media).then(
      (pool) => {
        this.pool = pool;
        pool.on('died', (index, error) => this.workerDied(index, error));
        this.logger.log(`mediasoup: ${this.config.media.workers} worker(s), WebRtcServer on ${this.config.media.listenIp}:${this.config.media.port || 'any port'}`);
        return pool;
      },
      (e: Error) => {
        this.starting = null;
        this.logger.error(`mediasoup workers could not start: ${e.message}`);
        // The cause (a path, a setting) is for the operator's log, not for the class.
        throw new DomainError('MEDIA_UNAVAILABLE', 'Live video and audio are unavailable on the server right now; the rest of the class works.', 503);
      },
    );
    return this.starting;
  }

  /** The started pool (after a join). */
  get workers(): WorkerPool {
    if (!this.pool) throw new DomainError('MEDIA_UNAVAILABLE', 'Live video and audio have not started', 503);
    return this.pool;
  }

  room(sessionId: string): MediaRoom | undefined {
    return this.rooms.get(sessionId);
  }

  /** Whether this process hosts the class's media, or is about to (a join under way: workers starting, room opening). */
  isHosting(sessionId: string): boolean {
    return this.rooms.has(sessionId) || (this.joining.get(sessionId) ?? 0) > 0;
  }

  iceServers(userId: string): IceServer[] {
    const { turn } = this.config.media;
    if (!turn.urls.length || !turn.secret) return [];
    const { username, credential } = turnCredentials(turn.secret, userId, turn.ttlSeconds, Date.now());
    return [{ urls: turn.urls, username, credential }];
  }

  private async openRoom(sessionId: string): Promise<MediaRoom> {
    const open = this.rooms.get(sessionId);
    if (open && !open.closed) return open;
    let pending = this.opening.get(sessionId);
    if (!pending) {
      pending = (async () => {
        const pool = await this.startWorkers();
        const room = new MediaRoom(sessionId, pool, this.notifier, await this.policy(sessionId), this.config.media.consumersPerWorker);
        this.rooms.set(sessionId, room);
        room.once('closed', () => {
          if (this.rooms.get(sessionId) !== room) return;
          this.rooms.delete(sessionId);
          this.onRoomClosed(sessionId);
        });
        return room;
      })().finally(() => this.opening.delete(sessionId));
      this.opening.set(sessionId, pending);
    }
    return pending;
  }

  async policy(sessionId: string): Promise<MediaPolicy> {
    const raw = await this.redis.get(policyKey(sessionId));
    return raw ? { ...DEFAULT_POLICY, ...(JSON.parse(raw) as MediaPolicy) } : { ...DEFAULT_POLICY };
  }

  async setPolicy(caller: MediaCaller, policy: MediaPolicy): Promise<MediaPolicy> {
    if (!canTeach(caller.session.role)) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
    await this.redis.set(policyKey(caller.sessionId), JSON.stringify(policy), 'EX', 7 * 24 * 3600);
    const room = this.rooms.get(caller.sessionId);
    if (room) {
      room.policy = policy;
      // Forbidding student screens stops the ones already shared.
      if (!policy.studentScreenShare) {
        for (const peer of room.peers.values()) {
          if (peer.identity.canTeach) continue;
          for (const source of ['screen', 'screen-audio'] as const) this.closeProducerBy(room, peer, source, true);
        }
      }
    }
    return policy;
  }

  /** Joins (or, for the same tab within the grace period, resumes) a peer; returns what the browser needs to load its device. */
  async join(caller: MediaCaller, peerId: string): Promise<MediaAckData['media:join']> {
    const sid = caller.sessionId;
    this.joining.set(sid, (this.joining.get(sid) ?? 0) + 1);
    try {
      return await this.joinRoom(caller, peerId);
    } finally {
      const n = (this.joining.get(sid) ?? 1) - 1;
      if (n > 0) this.joining.set(sid, n);
      else this.joining.delete(sid);
    }
  }

  private async joinRoom(caller: MediaCaller, peerId: string): Promise<MediaAckData['media:join']> {
    // Right after a worker died, its replacement may be a moment away: wait for it rather than fail.
    if (!(await (await this.startWorkers()).anyAlive(10_000))) throw new DomainError('MEDIA_UNAVAILABLE', 'The media server is restarting; try again in a moment', 503);
    const room = await this.openRoom(caller.sessionId);
    let peer = room.peers.get(peerId);
    let resumed = false;
    if (peer) {
      if (peer.identity.userId !== caller.session.userId) throw new ForbiddenError('PEER_NOT_YOURS', 'That media peer belongs to someone else');
      peer.cancelGrace();
      peer.socketId = caller.socketId;
      resumed = true;
    } else {
      const workerIndex = await room.placePeer();
      peer = new MediaPeer({ peerId, userId: caller.session.userId, name: caller.session.name, canTeach: canTeach(caller.session.role) }, caller.socketId, workerIndex);
      room.addPeer(peer);
    }
    return {
      routerRtpCapabilities: room.router(peer.workerIndex).rtpCapabilities,
      iceServers: this.iceServers(caller.session.userId),
      iceTransportPolicy: this.config.media.forceRelay ? 'relay' : 'all',
      policy: room.policy,
      resumed,
    };
  }

  private peerOf(caller: MediaCaller): { room: MediaRoom; peer: MediaPeer } {
    const room = this.rooms.get(caller.sessionId);
    const peer = caller.peerId ? room?.peers.get(caller.peerId) : undefined;
    if (!room || !peer || peer.closed) throw new NotFoundError('MEDIA_NOT_JOINED', 'Join the media of this class first');
    if (peer.socketId !== caller.socketId || peer.identity.userId !== caller.session.userId) throw new ForbiddenError('PEER_NOT_YOURS', 'That media peer belongs to another connection');
    return { room, peer };
  }

  /** The browser's receive capabilities; they must share a codec with the router. Returns what is already being sent. */
  ready(caller: MediaCaller, rtpCapabilities: RtpCapabilitiesWire): MediaAckData['media:ready'] {
    const { room, peer } = this.peerOf(caller);
    const known = new Set(routerCodecs.map((c) => `${c.mimeType.toLowerCase()}/${c.clockRate}`));
    const usable = rtpCapabilities.codecs.filter((c) => known.has(`${c.mimeType.toLowerCase()}/${c.clockRate}`));
    if (usable.length === 0) throw new DomainError('UNSUPPORTED_CAPABILITIES', 'Your browser shares no audio or video codec with this classroom', 400);
    peer.rtpCapabilities = rtpCapabilities as types.RtpCapabilities;
    room.refreshVideoCodec();
    return { producers: room.producers(peer.id), activeSpeaker: room.activeSpeaker, videoCodec: room.videoCodec };
  }

  async createTransport(caller: MediaCaller, direction: 'send' | 'recv'): Promise<TransportInfo> {
    const { room, peer } = this.peerOf(caller);
    if (peer.transports.size >= MAX_TRANSPORTS_PER_PEER) throw new ConflictError('TOO_MANY_TRANSPORTS', 'This connection already has its transports');
    // A second transport of the same direction replaces the first (a client rebuilding after a failure).
    peer.transportOf(direction)?.close();
    const { webRtcServer } = this.workers.get(peer.workerIndex);
    const transport = await room.router(peer.workerIndex).createWebRtcTransport({
      webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { direction, peerId: peer.id },
    });
    if (peer.closed) {
      transport.close();
      throw new NotFoundError('MEDIA_NOT_JOINED', 'The media connection closed');
    }
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') transport.close();
    });
    return { id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters };
  }

  private transportOf(peer: MediaPeer, transportId: string): types.WebRtcTransport {
    const t = peer.transports.get(transportId);
    if (!t || t.closed) throw new NotFoundError('TRANSPORT_NOT_FOUND', 'No such transport on your connection');
    return t;
  }

  async connectTransport(caller: MediaCaller, transportId: string, dtlsParameters: types.DtlsParameters): Promise<null> {
    const { peer } = this.peerOf(caller);
    const t = this.transportOf(peer, transportId);
    try {
      await t.connect({ dtlsParameters });
    } catch (e) {
      throw new DomainError('BAD_DTLS_PARAMETERS', `The transport refused these DTLS parameters: ${(e as Error).message}`, 400);
    }
    return null;
  }

  async restartIce(caller: MediaCaller, transportId: string): Promise<{ iceParameters: unknown }> {
    const { peer } = this.peerOf(caller);
    return { iceParameters: await this.transportOf(peer, transportId).restartIce() };
  }

  async produce(caller: MediaCaller, transportId: string, kind: 'audio' | 'video', source: MediaSource, rtpParameters: RtpParametersWire): Promise<{ producerId: string }> {
    const { room, peer } = this.peerOf(caller);
    const refusal = produceRefusal(peer.identity.canTeach, source, kind, room.policy);
    if (refusal === 'SCREEN_SHARE_FORBIDDEN') throw new ForbiddenError(refusal, 'The instructor has not allowed students to share their screen');
    if (refusal) throw new DomainError(refusal, `A ${source} source sends ${source === 'mic' || source === 'screen-audio' ? 'audio' : 'video'}`, 400);
    const transport = this.transportOf(peer, transportId);
    if (transport.appData.direction !== 'send') throw new DomainError('WRONG_TRANSPORT', 'Media is sent on the send transport', 400);
    // One producer per source: a new camera replaces the old one.
    peer.producerOf(source)?.close();
    let producer: types.Producer<ProducerData>;
    try {
      producer = await transport.produce<ProducerData>({
        kind,
        rtpParameters: rtpParameters as types.RtpParameters,
        appData: { peerId: peer.id, userId: peer.identity.userId, source },
      });
    } catch (e) {
      throw new DomainError('BAD_RTP_PARAMETERS', `The SFU refused these RTP parameters: ${(e as Error).message}`, 400);
    }
    if (peer.closed) {
      producer.close();
      throw new NotFoundError('MEDIA_NOT_JOINED', 'The media connection closed');
    }
    producer.observer.once('close', () => this.notifier.toRoom(room.sessionId, 'media:producer-closed', { producerId: producer.id, peerId: peer.id, source, byTeacher: !!producer.appData.closedByTeacher }));
    room.addProducer(peer, producer);
    return { producerId: producer.id };
  }

  private ownProducer(peer: MediaPeer, producerId: string): types.Producer<ProducerData> {
    const p = peer.producers.get(producerId);
    if (!p) throw new NotFoundError('PRODUCER_NOT_FOUND', 'No such producer on your connection');
    return p;
  }

  async pauseProducer(caller: MediaCaller, producerId: string, paused: boolean): Promise<null> {
    const { room, peer } = this.peerOf(caller);
    const p = this.ownProducer(peer, producerId);
    if (paused) await p.pause();
    else await p.resume();
    p.appData.pausedByTeacher = false;
    this.notifier.toRoom(room.sessionId, 'media:producer-paused', { producerId, peerId: peer.id, paused, byTeacher: false });
    return null;
  }

  closeProducer(caller: MediaCaller, producerId: string): null {
    const { peer } = this.peerOf(caller);
    this.ownProducer(peer, producerId).close();
    return null;
  }

  async consume(caller: MediaCaller, producerId: string): Promise<ConsumerInfo> {
    const { room, peer } = this.peerOf(caller);
    if (!peer.rtpCapabilities) throw new ConflictError('NOT_READY', 'Send your RTP capabilities (media:ready) first');
    // Only producers of this class: another class's producer id is unknown here.
    const found = room.findProducer(producerId);
    if (!found) throw new NotFoundError('PRODUCER_NOT_FOUND', 'No such producer in this class');
    if (found.peer.id === peer.id) throw new DomainError('OWN_PRODUCER', 'Your own media is shown locally', 400);
    const transport = peer.transportOf('recv');
    if (!transport) throw new ConflictError('NO_RECV_TRANSPORT', 'Create a receive transport first');
    const router = await room.routerFor(found.peer, producerId, peer.workerIndex);
    if (!router.canConsume({ producerId, rtpCapabilities: peer.rtpCapabilities })) {
      throw new DomainError('CANNOT_CONSUME', 'Your browser cannot decode this stream', 400);
    }
    const consumer = await transport.consume({ producerId, rtpCapabilities: peer.rtpCapabilities, paused: true, appData: { peerId: peer.id } });
    if (peer.closed) {
      consumer.close();
      throw new NotFoundError('MEDIA_NOT_JOINED', 'The media connection closed');
    }
    peer.consumers.set(consumer.id, consumer);
    room.countConsumer(peer.workerIndex, 1);
    consumer.observer.once('close', () => {
      peer.consumers.delete(consumer.id);
      room.countConsumer(peer.workerIndex, -1);
    });
    consumer.on('producerclose', () => {
      consumer.close();
      this.notifier.toSocket(peer.socketId, 'media:consumer-closed', { consumerId: consumer.id, producerId });
    });
    // Video starts on the middle layer until the viewer says how big its tile is. When a viewer's
    // bandwidth runs short, mediasoup lowers simulcast layers (audio is never rationed); slides get
    // their bitrate before faces do.
    if (consumer.type === 'simulcast') await consumer.setPreferredLayers({ spatialLayer: 1, temporalLayer: 2 }).catch(() => undefined);
    const data = found.producer.appData;
    if (data.source === 'screen') await consumer.setPriority(3).catch(() => undefined);
    return {
      consumerId: consumer.id,
      producerId,
      peerId: data.peerId,
      userId: data.userId,
      kind: consumer.kind,
      source: data.source,
      rtpParameters: consumer.rtpParameters,
      producerPaused: consumer.producerPaused,
    };
  }

  private ownConsumer(peer: MediaPeer, consumerId: string): types.Consumer {
    const c = peer.consumers.get(consumerId);
    if (!c) throw new NotFoundError('CONSUMER_NOT_FOUND', 'No such consumer on your connection');
    return c;
  }

  async resumeConsumer(caller: MediaCaller, consumerId: string): Promise<null> {
    const { peer } = this.peerOf(caller);
    await this.ownConsumer(peer, consumerId).resume();
    return null;
  }

  async setLayers(caller: MediaCaller, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<null> {
    const { peer } = this.peerOf(caller);
    const c = this.ownConsumer(peer, consumerId);
    if (c.type === 'simulcast' || c.type === 'svc') await c.setPreferredLayers({ spatialLayer, temporalLayer: temporalLayer ?? 2 });
    return null;
  }

  leave(caller: MediaCaller): null {
    const room = this.rooms.get(caller.sessionId);
    const peer = caller.peerId ? room?.peers.get(caller.peerId) : undefined;
    if (peer && peer.socketId === caller.socketId) peer.close();
    return null;
  }

  /** A socket dropped: its peers keep their transports for the grace period, then close. */
  socketDropped(socketId: string): null {
    for (const room of this.rooms.values()) {
      for (const peer of room.peers.values()) if (peer.socketId === socketId) peer.startGrace(this.config.media.peerGraceMs);
    }
    return null;
  }

  /**
   * Closes a class's media here: at the end of class (its policy goes too), or when the class's media
   * must move (a stale host), in which case its people are told to rejoin.
   */
  closeRoom(sessionId: string, rejoinReason?: string): null {
    const room = this.rooms.get(sessionId);
    const sockets = room ? [...room.peers.values()].map((p) => p.socketId) : [];
    room?.close();
    if (rejoinReason) for (const socketId of sockets) this.notifier.toSocket(socketId, 'media:rejoin', { reason: rejoinReason });
    else void this.redis.del(policyKey(sessionId)).catch(() => undefined);
    return null;
  }

  /** A teacher's mute pauses the person's microphone in the SFU; stop-camera closes their camera producer. */
  teacherAction(sessionId: string, userId: string, action: 'mute' | 'stop-camera' | 'remove'): null {
    const room = this.rooms.get(sessionId);
    if (!room) return null;
    if (action === 'remove') {
      this.closePeersOf(sessionId, userId);
      return null;
    }
    for (const peer of room.peers.values()) {
      if (peer.identity.userId !== userId) continue;
      if (action === 'stop-camera') this.closeProducerBy(room, peer, 'camera', true);
      else {
        const mic = peer.producerOf('mic');
        if (mic && !mic.paused) {
          mic.appData.pausedByTeacher = true;
          void mic.pause().then(() => this.notifier.toRoom(sessionId, 'media:producer-paused', { producerId: mic.id, peerId: peer.id, paused: true, byTeacher: true }));
        }
      }
    }
    return null;
  }

  private closeProducerBy(room: MediaRoom, peer: MediaPeer, source: MediaSource, byTeacher: boolean): void {
    const p = peer.producerOf(source);
    if (!p) return;
    p.appData.closedByTeacher = byTeacher;
    p.close();
  }

  private closePeersOf(sessionId: string, userId: string): void {
    const room = this.rooms.get(sessionId);
    if (!room) return;
    for (const peer of [...room.peers.values()]) if (peer.identity.userId === userId) peer.close();
  }

  /** A worker died: every room with a router on it is closed, and its people asked to rejoin media. */
  private workerDied(index: number, error: Error): void {
    this.logger.error(`mediasoup worker ${index} died (${error.message}); rebuilding its rooms`);
    for (const room of [...this.rooms.values()]) {
      if (room.workerIndexes().includes(index)) this.closeRoom(room.sessionId, 'The media server restarted');
    }
  }
}
