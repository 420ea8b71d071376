import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import type { types } from 'mediasoup';
import type { AppConfig } from '../config/config';
import {
  ConsumerInfo,
  IceServer,
  MediaPolicy,
  MediaPolicyChange,
  MediaServerEvents,
  MediaServerMessage,
  RtpCapabilitiesWire,
  TransportInfo,
} from '../contracts/media';
import type { HostReplies, HostRequestOf, MediaCaller } from '../contracts/media-host';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { APP_CONFIG } from '../config/config';
import { REDIS } from '../platform/redis';
import { routerCodecs } from './domain/codecs';
import { cameraRefusal, DEFAULT_POLICY, produceRefusal, unmuteRefusal } from './domain/policy';
import { turnCredentials } from './domain/turn';
import { ClassSpeakers } from './class-speakers';
import { ClassHosts } from './infra/class-hosts';
import { ClassSpeakerStore } from './infra/class-speaker-store';
import type { HostBroker } from './sfu/host-links';
import { MediaPeer, ProduceParams, ProducerData } from './sfu/media-peer';
import { MediaNotifier, MediaRoom, producerInfo } from './sfu/media-room';
import { WorkerPool } from './sfu/worker-pool';

const policyKey = (sessionId: string) => `media:policy:${sessionId}`;
/** Students an instructor let unmute while microphones are locked (cleared when the lock is set or lifted). */
const unmuteAllowedKey = (sessionId: string) => `media:unmute-allowed:${sessionId}`;
/** Students whose camera an instructor turned off, until allowed again. */
const cameraStoppedKey = (sessionId: string) => `media:camera-stopped:${sessionId}`;
const POLICY_TTL_SECONDS = 7 * 24 * 3600;

/** What the media service announces; the gateway sends the messages, the cluster releases closed classes. */
export interface MediaServiceEvents {
  /** For everyone in a class. */
  toClass: [sessionId: string, message: MediaServerMessage];
  /** For one socket. */
  toSocket: [socketId: string, message: MediaServerMessage];
  /** A class's media opened on this instance (it hosts the class now; recording capture follows it). */
  roomOpened: [sessionId: string, room: MediaRoom];
  /** A class's media closed on this instance. */
  roomClosed: [sessionId: string];
  /** This host sent `count` people of a class to another of its hosts (a spread class regrouping). */
  peersMoved: [sessionId: string, count: number];
}

/**
 * The SFU's rules: who may send what, what a peer may consume, when a peer's media goes away. Each call
 * resolves the caller's own peer and the class's policy, then asks the peer (which owns its transports,
 * producers and consumers). mediasoup objects live in this process (they are the worker's); what must
 * outlive it lives in Redis (the class's media policy). Rooms reach browsers through this service's
 * events, which the gateway sends on. A worker that dies is replaced, its rooms closed, and their people told to
 * rejoin media, which their browsers do by themselves.
 */
@Injectable()
export class MediaService extends EventEmitter<MediaServiceEvents> implements OnModuleDestroy {
  private readonly logger = new Logger('MediaService');
  private pool: WorkerPool | null = null;
  private starting: Promise<WorkerPool> | null = null;
  private readonly rooms = new Map<string, MediaRoom>();
  private readonly opening = new Map<string, Promise<MediaRoom>>();
  private readonly joining = new Map<string, number>();
  private shuttingDown = false;
  /** How this host reaches the class's other hosts (set by the media cluster; none: a class stays on one host). */
  private broker: HostBroker | null = null;
  /** Where each class's peers and producers are, across hosts. */
  readonly classHosts: ClassHosts;
  /** The class's one active speaker over all its hosts. */
  private readonly speakers: ClassSpeakers;
  private readonly speakerStore: ClassSpeakerStore;
  /** How rooms reach browsers: through this service's events, silent once shutting down. */
  private readonly notify: MediaNotifier = {
    toClass: (sessionId, message) => {
      if (!this.shuttingDown) this.emit('toClass', sessionId, message);
    },
    toSocket: (socketId, message) => {
      if (!this.shuttingDown) this.emit('toSocket', socketId, message);
    },
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    super();
    this.classHosts = new ClassHosts(redis);
    this.speakerStore = new ClassSpeakerStore(redis);
    this.speakers = new ClassSpeakers({
      store: this.speakerStore,
      self: () => this.broker?.self ?? 'local',
      room: (sessionId) => this.rooms.get(sessionId),
      otherHosts: async (sessionId) => {
        const self = this.broker?.self;
        if (!self) return [];
        return [...(await this.classHosts.peersByHost(sessionId)).keys()].filter((h) => h !== self);
      },
      tellHost: async (host, sessionId, state) => {
        await this.broker?.call(host, { op: 'classSpeaker', sessionId, state });
      },
      toClass: (sessionId, speaker) =>
        this.notify.toClass(sessionId, {
          event: MediaServerEvents.activeSpeaker,
          payload: { userId: speaker?.userId ?? null, peerId: speaker?.peerId ?? null },
        }),
      warn: (message) => this.logger.warn(message),
    });
  }

  /** The media cluster gives this host its way to the others: from then on a class may spread over hosts. */
  attach(broker: HostBroker): void {
    this.broker = broker;
  }

  onModuleDestroy(): void {
    // Shutting down: the socket server and its Redis adapter are going; nobody is told anything more.
    this.shuttingDown = true;
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
        this.logger.log(
          `mediasoup: ${this.config.media.workers} worker(s), WebRtcServer on ${this.config.media.listenIp}:${this.config.media.port || 'any port'}`,
        );
        return pool;
      },
      (e: Error) => {
        this.starting = null;
        this.logger.error(`mediasoup workers could not start: ${e.message}`);
        // The cause (a path, a setting) is for the operator's log, not for the class.
        throw new DomainError(
          'MEDIA_UNAVAILABLE',
          'Live video and audio are unavailable on the server right now; the rest of the class works.',
          503,
        );
      },
    );
    return this.starting;
  }

  /** The started pool (after a join). */
  get workers(): WorkerPool {
    if (!this.pool) throw new DomainError('MEDIA_UNAVAILABLE', 'Live video and audio have not started', 503);
    return this.pool;
  }

  /** What metrics read: the classes this process hosts and its workers' load (none before the first join). */
  async load(): Promise<{
    rooms: number;
    peers: number;
    workers: Array<{ index: number; consumers: number; cpuSeconds: number }>;
  }> {
    let peers = 0;
    for (const room of this.rooms.values()) peers += room.peers.size;
    return { rooms: this.rooms.size, peers, workers: this.pool ? await this.pool.usage() : [] };
  }

  /** The classes whose media this process hosts now. */
  hostedClasses(): string[] {
    return [...this.rooms.keys()];
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
        const room = new MediaRoom(
          sessionId,
          pool,
          this.notify,
          await this.policy(sessionId),
          this.config.media.consumersPerWorker,
          this.broker
            ? {
                broker: this.broker,
                listen: this.config.media.pipeIp,
                ports: this.config.media.pipePorts,
                srtp: this.config.media.pipeSrtp,
              }
            : undefined,
        );
        if (this.broker) this.listProducers(room, this.broker.self);
        room.on('voices', (workerIndex, voices) => this.speakers.heard(sessionId, workerIndex, voices));
        room.on('micClosed', (peerId) => this.speakers.micClosed(sessionId, peerId));
        await this.speakers.opened(room);
        this.rooms.set(sessionId, room);
        room.once('closed', () => {
          if (this.rooms.get(sessionId) !== room) return;
          this.speakers.roomClosed(sessionId);
          this.rooms.delete(sessionId);
          this.emit('roomClosed', sessionId);
        });
        this.emit('roomOpened', sessionId, room);
        return room;
      })().finally(() => this.opening.delete(sessionId));
      this.opening.set(sessionId, pending);
    }
    return pending;
  }

  /** Every producer of this host's peers is listed in Redis with this host, so the class's other hosts can pull it. */
  private listProducers(room: MediaRoom, self: string): void {
    const sid = room.sessionId;
    room.on('producer', (_peer, producer: types.Producer<ProducerData>) => {
      const put = () =>
        void this.classHosts
          .putProducer(sid, self, producerInfo(producer))
          .catch((e: Error) => this.logger.warn(`could not list producer ${producer.id}: ${e.message}`));
      put();
      producer.observer.on('pause', put);
      producer.observer.on('resume', put);
      producer.observer.once('close', () => {
        producer.observer.off('pause', put);
        producer.observer.off('resume', put);
        void this.classHosts.removeProducer(sid, producer.id, self).catch(() => undefined);
      });
    });
  }

  /** The class's policy as Redis has it (the truth: a lock set while no instance hosted the media counts). */
  async policy(sessionId: string): Promise<MediaPolicy> {
    const [raw, allowed, stopped] = await Promise.all([
      this.redis.get(policyKey(sessionId)),
      this.redis.smembers(unmuteAllowedKey(sessionId)),
      this.redis.smembers(cameraStoppedKey(sessionId)),
    ]);
    const stored = raw ? (JSON.parse(raw) as MediaPolicyChange) : {};
    return {
      studentScreenShare: stored.studentScreenShare ?? DEFAULT_POLICY.studentScreenShare,
      micLocked: stored.micLocked ?? DEFAULT_POLICY.micLocked,
      cameraLocked: stored.cameraLocked ?? DEFAULT_POLICY.cameraLocked,
      unmuteAllowed: allowed.sort(),
      cameraStopped: stopped.sort(),
    };
  }

  /**
   * Changes the class's policy (the fields given) and applies it to the media hosted here: a screen lock
   * closes students' screens, a camera lock their cameras, a microphone lock pauses their microphones in
   * the SFU. Setting or lifting the microphone lock forgets who was let unmute; lifting it unmutes nobody.
   */
  async setPolicy(caller: MediaCaller, change: MediaPolicyChange): Promise<MediaPolicy> {
    if (!caller.canTeach) throw new ForbiddenError('TEACHER_ONLY', 'Only instructors can do this');
    const sid = caller.sessionId;
    const current = await this.policy(sid);
    const next = {
      studentScreenShare: change.studentScreenShare ?? current.studentScreenShare,
      micLocked: change.micLocked ?? current.micLocked,
      cameraLocked: change.cameraLocked ?? current.cameraLocked,
    };
    const multi = this.redis.multi().set(policyKey(sid), JSON.stringify(next), 'EX', POLICY_TTL_SECONDS);
    if (change.micLocked !== undefined) multi.del(unmuteAllowedKey(sid));
    await multi.exec();
    const policy = await this.policy(sid);
    const room = this.rooms.get(sid);
    if (room) {
      room.policy = policy;
      for (const peer of [...room.peers.values()]) {
        if (peer.identity.canTeach) continue;
        if (!policy.studentScreenShare)
          for (const source of ['screen', 'screen-audio'] as const) peer.closeProducerOf(source, true);
        if (policy.cameraLocked) peer.closeProducerOf('camera', true);
        if (policy.micLocked && change.micLocked) this.pauseMicByTeacher(sid, peer);
      }
    }
    return policy;
  }

  /** Lets these students unmute while microphones are locked (a Redis write: any instance may do it). */
  async allowUnmute(sessionId: string, userIds: string[]): Promise<MediaPolicy> {
    if (userIds.length)
      await this.redis
        .multi()
        .sadd(unmuteAllowedKey(sessionId), ...userIds)
        .expire(unmuteAllowedKey(sessionId), POLICY_TTL_SECONDS)
        .exec();
    const policy = await this.policy(sessionId);
    const room = this.rooms.get(sessionId);
    if (room) room.policy = policy;
    return policy;
  }

  /**
   * An instructor's *Cam off* holds: the person's camera is refused until the instructor allows it again
   * (a Redis write: any instance may do it; the SFU closes the camera through teacherAction).
   */
  async setCameraStopped(sessionId: string, userId: string, stopped: boolean): Promise<MediaPolicy> {
    if (stopped)
      await this.redis
        .multi()
        .sadd(cameraStoppedKey(sessionId), userId)
        .expire(cameraStoppedKey(sessionId), POLICY_TTL_SECONDS)
        .exec();
    else await this.redis.srem(cameraStoppedKey(sessionId), userId);
    const policy = await this.policy(sessionId);
    const room = this.rooms.get(sessionId);
    if (room) room.policy = policy;
    return policy;
  }

  private pauseMicByTeacher(sessionId: string, peer: MediaPeer): void {
    void peer.pauseByTeacher('mic').then(
      (mic) => {
        if (mic)
          this.notify.toClass(sessionId, {
            event: MediaServerEvents.producerPaused,
            payload: { producerId: mic.id, peerId: peer.id, paused: true, byTeacher: true },
          });
      },
      () => undefined,
    );
  }

  /** Joins (or, for the same tab within the grace period, resumes) a peer; returns what the browser needs to load its device. */
  async join(caller: MediaCaller, peerId: string): Promise<HostReplies['join']> {
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

  private async joinRoom(caller: MediaCaller, peerId: string): Promise<HostReplies['join']> {
    // Right after a worker died, its replacement may be a moment away: wait for it rather than fail.
    if (!(await (await this.startWorkers()).anyAlive(10_000)))
      throw new DomainError('MEDIA_UNAVAILABLE', 'The media server is restarting; try again in a moment', 503);
    const room = await this.openRoom(caller.sessionId);
    let peer = room.peers.get(peerId);
    let resumed = false;
    if (peer) {
      if (peer.identity.userId !== caller.userId)
        throw new ForbiddenError('PEER_NOT_YOURS', 'That media peer belongs to someone else');
      peer.resume(caller.socketId);
      resumed = true;
    } else {
      peer = await room.join(
        { peerId, userId: caller.userId, name: caller.name, canTeach: caller.canTeach },
        caller.socketId,
      );
      const self = this.broker?.self;
      if (self)
        peer.once(
          'closed',
          () => void this.classHosts.releasePeer(caller.sessionId, peerId, self).catch(() => undefined),
        );
    }
    return {
      routerRtpCapabilities: room.router(peer.workerIndex).rtpCapabilities,
      iceServers: this.iceServers(caller.userId),
      iceTransportPolicy: this.config.media.forceRelay ? 'relay' : 'all',
      policy: room.policy,
      resumed,
    };
  }

  /** The caller's own peer: joined from this very socket, by this very person. */
  private peerOf(caller: MediaCaller): { room: MediaRoom; peer: MediaPeer } {
    const room = this.rooms.get(caller.sessionId);
    const peer = caller.peerId ? room?.peers.get(caller.peerId) : undefined;
    if (!room || !peer || peer.closed)
      throw new NotFoundError('MEDIA_NOT_JOINED', 'Join the media of this class first');
    if (peer.socketId !== caller.socketId || peer.identity.userId !== caller.userId)
      throw new ForbiddenError('PEER_NOT_YOURS', 'That media peer belongs to another connection');
    return { room, peer };
  }

  /** The browser's receive capabilities; they must share a codec with the router. Returns what is already being sent. */
  async ready(caller: MediaCaller, rtpCapabilities: RtpCapabilitiesWire): Promise<HostReplies['ready']> {
    const { room, peer } = this.peerOf(caller);
    const known = new Set(routerCodecs.map((c) => `${c.mimeType.toLowerCase()}/${c.clockRate}`));
    const usable = rtpCapabilities.codecs.filter((c) => known.has(`${c.mimeType.toLowerCase()}/${c.clockRate}`));
    if (usable.length === 0)
      throw new DomainError(
        'UNSUPPORTED_CAPABILITIES',
        'Your browser shares no audio or video codec with this classroom',
        400,
      );
    peer.setRtpCapabilities(rtpCapabilities);
    room.refreshVideoCodec();
    const producers = room.producers(peer.id);
    // The class's producers on its other hosts, when it is spread (pulled here when this peer consumes one).
    if (this.broker) {
      const here = new Set(producers.map((p) => p.producerId));
      for (const { host, producer } of await this.classHosts.producers(caller.sessionId))
        if (host !== this.broker.self && producer.peerId !== peer.id && !here.has(producer.producerId))
          producers.push(producer);
    }
    return { producers, activeSpeaker: room.activeSpeaker, videoCodec: room.videoCodec };
  }

  async createTransport(caller: MediaCaller, direction: 'send' | 'recv'): Promise<TransportInfo> {
    const transport = await this.peerOf(caller).peer.createTransport(direction);
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(
    caller: MediaCaller,
    transportId: string,
    dtlsParameters: types.DtlsParameters,
  ): Promise<null> {
    await this.peerOf(caller).peer.connectTransport(transportId, dtlsParameters);
    return null;
  }

  async restartIce(caller: MediaCaller, transportId: string): Promise<{ iceParameters: unknown }> {
    return { iceParameters: await this.peerOf(caller).peer.restartIce(transportId) };
  }

  /** Sends a source if the class's policy lets this person send it. */
  async produce(caller: MediaCaller, params: ProduceParams): Promise<{ producerId: string }> {
    const { peer } = this.peerOf(caller);
    const { source, kind } = params;
    // Read from Redis, not the room's copy: a lock set on another instance a moment ago holds here too.
    const policy = await this.policy(caller.sessionId);
    const refusal = produceRefusal(peer.identity.canTeach, source, kind, policy);
    if (refusal === 'SCREEN_SHARE_FORBIDDEN')
      throw new ForbiddenError(refusal, 'The instructor has not allowed students to share their screen');
    const camera = source === 'camera' ? cameraRefusal(peer.identity, policy) : null;
    if (camera === 'CAMERA_LOCKED') throw new ForbiddenError(camera, 'The instructor has locked cameras');
    if (camera === 'CAMERA_STOPPED')
      throw new ForbiddenError(camera, 'The instructor turned your camera off; they can let you turn it on again');
    if (unmuteRefusal({ canTeach: peer.identity.canTeach, userId: peer.identity.userId }, source, policy))
      throw new ForbiddenError('MIC_LOCKED', 'The instructor has locked microphones: ask to unmute');
    if (refusal)
      throw new DomainError(
        refusal,
        `A ${source} source sends ${source === 'mic' || source === 'screen-audio' ? 'audio' : 'video'}`,
        400,
      );
    const producer = await peer.produce(params);
    return { producerId: producer.id };
  }

  async pauseProducer(caller: MediaCaller, producerId: string, paused: boolean): Promise<null> {
    const { room, peer } = this.peerOf(caller);
    if (!paused) {
      // A locked microphone stays paused in the SFU whatever the browser sends, unless an instructor allowed it.
      const source = peer.sourceOf(producerId);
      if (source && unmuteRefusal(peer.identity, source, await this.policy(caller.sessionId)))
        throw new ForbiddenError('MIC_LOCKED', 'The instructor has locked microphones: ask to unmute');
    }
    await peer.setProducerPaused(producerId, paused);
    this.notify.toClass(room.sessionId, {
      event: MediaServerEvents.producerPaused,
      payload: { producerId, peerId: peer.id, paused, byTeacher: false },
    });
    return null;
  }

  closeProducer(caller: MediaCaller, producerId: string): null {
    this.peerOf(caller).peer.closeProducer(producerId);
    return null;
  }

  /** Consumes a producer of the caller's class (another class's producer id is unknown here). */
  async consume(caller: MediaCaller, producerId: string): Promise<ConsumerInfo> {
    const { room, peer } = this.peerOf(caller);
    if (!peer.rtpCapabilities) throw new ConflictError('NOT_READY', 'Send your RTP capabilities (media:ready) first');
    const found = room.findProducer(producerId) ?? (await this.pullProducer(room, producerId));
    if (!found) throw new NotFoundError('PRODUCER_NOT_FOUND', 'No such producer in this class');
    if (found.producer.appData.peerId === peer.id)
      throw new DomainError('OWN_PRODUCER', 'Your own media is shown locally', 400);
    const consumer = await peer.consume(found.producer, () =>
      room.routerFor(found.workerIndex, producerId, peer.workerIndex),
    );
    const data = found.producer.appData;
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

  /**
   * A producer of the class on another of its hosts, pulled here over a pipe link. Its listing may be a
   * moment behind the class's notice of it (another host writes it), so a miss is looked up again briefly.
   */
  private async pullProducer(
    room: MediaRoom,
    producerId: string,
  ): Promise<{ producer: types.Producer<ProducerData>; workerIndex: number } | null> {
    if (!this.broker || !room.links) return null;
    let listed = await this.classHosts.producer(room.sessionId, producerId);
    for (let i = 0; !listed && i < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      listed = await this.classHosts.producer(room.sessionId, producerId);
    }
    if (!listed || listed.host === this.broker.self) return null;
    return room.links.pull(listed.host, producerId);
  }

  /** Another host of the class opens a link to pull producers of this one. */
  pipeConnect(r: HostRequestOf<'pipeConnect'>): Promise<HostReplies['pipeConnect']> {
    return this.linksOf(r.sessionId).accept(r);
  }

  /** Another host of the class asks for one of this host's producers over its link. */
  pipeProduce(r: HostRequestOf<'pipeProduce'>): Promise<HostReplies['pipeProduce']> {
    return this.linksOf(r.sessionId).send(r.linkId, r.producerId);
  }

  /** The other end of a link says a producer changed or the link closed (nothing to do once the class closed here). */
  async pipeEvent(r: HostRequestOf<'pipeEvent'>): Promise<null> {
    await this.rooms.get(r.sessionId)?.links?.event(r.linkId, r.event);
    return null;
  }

  /** Another host of the class decided a new active speaker (it told the browsers): this host's room follows. */
  classSpeaker(r: HostRequestOf<'classSpeaker'>): null {
    this.speakers.told(r.sessionId, r.state);
    return null;
  }

  private linksOf(sessionId: string) {
    const links = this.rooms.get(sessionId)?.links;
    if (!links) throw new NotFoundError('MEDIA_NOT_JOINED', "This class's media is not on this server");
    return links;
  }

  /**
   * The media hosts still beating: links to the others close (what was pulled from a silent host goes,
   * its consumers here close, their browsers are told), and the class's lists forget the silent hosts.
   */
  async hostsAlive(alive: ReadonlySet<string>, someWentSilent: boolean): Promise<void> {
    for (const room of [...this.rooms.values()]) {
      const closed = room.links?.hostsGone(alive) ?? 0;
      if (closed) this.logger.warn(`class ${room.sessionId}: closed ${closed} link(s) to media hosts that went silent`);
      if (someWentSilent || closed) await this.classHosts.pruneHosts(room.sessionId, alive).catch(() => undefined);
    }
  }

  async resumeConsumer(caller: MediaCaller, consumerId: string): Promise<null> {
    await this.peerOf(caller).peer.resumeConsumer(consumerId);
    return null;
  }

  async setLayers(
    caller: MediaCaller,
    consumerId: string,
    layers: { spatialLayer: number; temporalLayer?: number },
  ): Promise<null> {
    await this.peerOf(caller).peer.setConsumerLayers(consumerId, layers);
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
      for (const peer of room.peers.values())
        if (peer.socketId === socketId) peer.startGrace(this.config.media.peerGraceMs);
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
    if (rejoinReason)
      for (const socketId of sockets)
        this.notify.toSocket(socketId, { event: MediaServerEvents.rejoin, payload: { reason: rejoinReason } });
    else {
      void this.redis
        .del(policyKey(sessionId), unmuteAllowedKey(sessionId), cameraStoppedKey(sessionId))
        .catch(() => undefined);
      void this.classHosts.forget(sessionId).catch(() => undefined);
      void this.speakerStore.forget(sessionId).catch(() => undefined);
    }
    return null;
  }

  /**
   * Sends this host's people of a class to another of its hosts (a spread class regrouping): each is taken
   * off the class's peer list first, so that their rejoin is placed afresh rather than sent back here, then
   * told to rejoin. The class's media then closes here, and with it its links to the other hosts.
   */
  async moveAway(sessionId: string, reason: string): Promise<number> {
    const room = this.rooms.get(sessionId);
    const self = this.broker?.self;
    if (!room || !self) return 0;
    const peers = [...room.peers.keys()];
    await Promise.all(peers.map((peerId) => this.classHosts.releasePeer(sessionId, peerId, self)));
    this.closeRoom(sessionId, reason);
    this.emit('peersMoved', sessionId, peers.length);
    return peers.length;
  }

  /** A teacher's mute pauses the person's microphone in the SFU; stop-camera closes their camera producer; remove closes their media at once. */
  teacherAction(sessionId: string, userId: string, action: 'mute' | 'stop-camera' | 'remove'): null {
    const room = this.rooms.get(sessionId);
    if (!room) return null;
    for (const peer of [...room.peers.values()]) {
      if (peer.identity.userId !== userId) continue;
      if (action === 'remove') peer.close();
      else if (action === 'stop-camera') peer.closeProducerOf('camera', true);
      else this.pauseMicByTeacher(sessionId, peer);
    }
    return null;
  }

  /** A worker died: every room with a router on it is closed, and its people asked to rejoin media. */
  private workerDied(index: number, error: Error): void {
    this.logger.error(`mediasoup worker ${index} died (${error.message}); rebuilding its rooms`);
    for (const room of [...this.rooms.values()]) {
      if (room.workerIndexes().includes(index)) this.closeRoom(room.sessionId, 'The media server restarted');
    }
  }
}
