import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import crypto from 'node:crypto';
import type Redis from 'ioredis';
import type { Subscription } from 'rxjs';
import { z } from 'zod';
import type { AppConfig } from '../config/config';
import { DomainError } from '../platform/domain-error';
import { DomainEvents } from '../platform/domain-events';
import { APP_CONFIG } from '../config/config';
import { createRedis, REDIS } from '../platform/redis';
import {
  HostAnswer,
  hostAnswerSchema,
  HostEnvelope,
  hostEnvelopeSchema,
  HostReply,
  HostOp,
  HostRequest,
  hostRequestSchema,
  hostSessionOf,
  HOST_TO_HOST,
  LOCAL_IF_UNHOSTED,
  ONLY_IF_HOSTED,
} from '../contracts/media-host';
import { placePeer } from './domain/host-placement';
import { classMain } from './domain/host-regroup';
import { ClassRegroup } from './class-regroup';
import type { HostBroker } from './sfu/host-links';
import { serveHostRequest } from './media-host';
import { LoadMonitor } from './load-monitor.service';
import { MediaHosts } from './media-hosts.service';
import { MediaService } from './media.service';

const ownerKey = (sessionId: string) => `media:owner:${sessionId}`;
const rpcChannel = (instanceId: string) => `media:rpc:${instanceId}`;
const replyChannel = (instanceId: string) => `media:reply:${instanceId}`;
const RPC_TIMEOUT_MS = 5000;
/** A media host silent for this many presence TTLs is gone for the classes spread onto it (its links close). */
const SILENT_TTLS = 3;

/** Requests about the whole class rather than one peer: run on every host the class is spread over. */
const EVERY_CLASS_HOST: ReadonlySet<HostOp> = new Set<HostOp>([
  'setPolicy',
  'socketDropped',
  'teacherAction',
  'closeRoom',
]);

/** The peer a request is about (its own, for a join), if it is about one. */
const peerOf = (r: HostRequest): string | undefined =>
  r.op === 'join' ? r.peerId : 'caller' in r && !EVERY_CLASS_HOST.has(r.op) ? r.caller.peerId : undefined;

/** Refreshes the owner key while it is ours (or free again); 0 when another instance took over after we stalled. */
const REFRESH = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Several backend instances, one class: a class's media (its mediasoup routers, transports, producers)
 * lives on one instance, the one that took the class's owner key in Redis at the first media join. Any
 * instance's socket can signal for it: its host request (contracts/media-host.ts) is run locally when this
 * instance hosts the class, else sent over Redis pub/sub to the host, parsed there against the contract,
 * run through the same switch (media-host.ts) and answered (notifications reach sockets on every
 * instance through the Socket.io Redis adapter). The key lives while the host beats; when the host dies
 * its key expires, its people's transports fail, their browsers rejoin, and another instance hosts.
 *
 * A class bigger than one host spreads (Jitsi's Octo): the owner key names the class's first host; each
 * peer's host is in the class's peer list (media/infra/class-hosts.ts), chosen at its join by
 * domain/host-placement.ts `placePeer` (the class's hosts while they have room, else the least-loaded
 * other host). A peer's requests go to its host; requests about the class go to every host it is on;
 * the hosts pull each other's producers over pipe links (sfu/host-links.ts), asking each other through
 * this same protocol by host id (`callHost`).
 */
@Injectable()
export class MediaCluster implements OnModuleInit, OnModuleDestroy {
  readonly instanceId = crypto.randomUUID();
  private readonly logger = new Logger('MediaCluster');
  private sub: Redis | null = null;
  private readonly pending = new Map<
    string,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void; timer: NodeJS.Timeout }
  >();
  private readonly owned = new Set<string>();
  private beat: NodeJS.Timeout | null = null;
  private readonly subs: Subscription[] = [];
  /** The media hosts alive at the last beat (a host missing since has its links closed). */
  private lastAlive = new Set<string>();
  /** How this instance's media reaches the class's other hosts. */
  private readonly broker: HostBroker = {
    self: this.instanceId,
    call: (host, request) => this.callHost(host, request),
  };
  /** Gathers a spread class back onto one host when it fits again. */
  private readonly regroup: ClassRegroup;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly media: MediaService,
    private readonly events: DomainEvents,
    private readonly hosts: MediaHosts,
    private readonly monitor: LoadMonitor,
  ) {
    this.regroup = new ClassRegroup({
      self: this.instanceId,
      config,
      media,
      hosts: () => hosts.list(),
      ownerOf: (sessionId) => this.hostOf(sessionId),
      claim: async (sessionId) => {
        const taken = await this.redis.set(ownerKey(sessionId), this.instanceId, 'PX', config.presence.ttlMs, 'NX');
        if (taken) this.owned.add(sessionId);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    this.sub = createRedis(this.config.redisUrl);
    this.sub.on('message', (channel: string, raw: string) => void this.message(channel, raw));
    await this.sub.subscribe(rpcChannel(this.instanceId), replyChannel(this.instanceId));
    this.media.on('roomClosed', this.roomClosed);
    this.media.attach(this.broker);
    this.hosts.start(this.instanceId);
    this.monitor.start(this.instanceId);
    this.beat = setInterval(() => void this.refresh(), this.config.presence.beatMs);
    this.beat.unref();
    // Teacher controls and the end of class happen on the teacher's instance; the host acts on them.
    this.subs.push(
      this.events
        .on('participant.controlled')
        .subscribe(
          ({ sessionId, userId, action }) =>
            void this.call({ op: 'teacherAction', sessionId, userId, action }).catch((e) =>
              this.logger.warn(`teacher action on media failed: ${(e as Error).message}`),
            ),
        ),
      this.events
        .on('session.ended')
        .subscribe(
          ({ sessionId }) =>
            void this.call({ op: 'closeRoom', sessionId }).catch((e) =>
              this.logger.warn(`closing media failed: ${(e as Error).message}`),
            ),
        ),
    );
  }

  /** A class's media closed here: the class is free for whichever instance has its next join. */
  private readonly roomClosed = (sessionId: string): void => {
    this.owned.delete(sessionId);
    void this.redis.eval(RELEASE, 1, ownerKey(sessionId), this.instanceId).catch(() => undefined);
  };

  async onModuleDestroy(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    if (this.beat) clearInterval(this.beat);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new DomainError('MEDIA_UNAVAILABLE', 'The server is shutting down', 503));
    }
    await Promise.all(
      [...this.owned].map((sid) => this.redis.eval(RELEASE, 1, ownerKey(sid), this.instanceId).catch(() => undefined)),
    );
    this.sub?.disconnect();
  }

  private async refresh(): Promise<void> {
    await this.watchHosts().catch((e: Error) => this.logger.warn(`could not read the media hosts: ${e.message}`));
    await this.regroup.beat().catch((e: Error) => this.logger.warn(`could not regroup classes: ${e.message}`));
    for (const sid of [...this.owned]) {
      // Released only when nothing is hosted here, and no join is under way (the first join of a
      // process waits for its workers to start, which can outlast a heartbeat).
      if (!this.media.isHosting(sid)) {
        this.owned.delete(sid);
        await this.redis.eval(RELEASE, 1, ownerKey(sid), this.instanceId).catch(() => undefined);
        continue;
      }
      const kept = await this.redis
        .eval(REFRESH, 1, ownerKey(sid), this.instanceId, String(this.config.presence.ttlMs))
        .catch(() => 1);
      if (kept === 0) {
        // Another instance hosts the class now (we stalled past the TTL): ours is stale; let its people rejoin there.
        this.logger.warn(`lost the media of class ${sid} to another instance`);
        this.owned.delete(sid);
        this.media.closeRoom(sid, 'The media server moved');
      }
    }
  }

  /** The instance hosting the class's media now (null: nobody has joined its media). */
  hostOf(sessionId: string): Promise<string | null> {
    return this.redis.get(ownerKey(sessionId));
  }

  /**
   * While this instance hosts media of spread classes: hosts silent for SILENT_TTLS presence TTLs have
   * their links and list entries dropped. Longer than placement's staleness (one TTL): closing a link
   * to a host that was only slow would close its streams here for good (nobody announces them again).
   */
  private async watchHosts(): Promise<void> {
    if (!this.media.hostedClasses().length) return;
    const now = Date.now();
    const alive = new Set(
      (await this.hosts.list())
        .filter((h) => now - h.at < SILENT_TTLS * this.config.presence.ttlMs)
        .map((h) => h.instanceId),
    );
    alive.add(this.instanceId);
    const wentSilent = [...this.lastAlive].some((h) => !alive.has(h));
    this.lastAlive = alive;
    await this.media.hostsAlive(alive, wentSilent);
  }

  /** Runs a request on one host by its id: here, or over Redis. */
  callHost<R extends HostRequest>(host: string, request: R): Promise<HostReply<R>> {
    return host === this.instanceId ? serveHostRequest(this.media, request) : this.remote(host, request);
  }

  /**
   * The host for one more person of a class (`owner` hosts it): the host its peer is on already when it
   * comes back within its grace period, else the placement policy's choice over the live hosts.
   */
  private async hostForPeer(sessionId: string, owner: string, peerId: string): Promise<string> {
    const [hosts, byHost, current] = await Promise.all([
      this.hosts.list(),
      this.media.classHosts.peersByHost(sessionId),
      this.media.classHosts.peerHost(sessionId, peerId),
    ]);
    const back = current ? hosts.find((h) => h.instanceId === current) : undefined;
    if (back?.alive && back.state !== 'draining') return back.instanceId;
    const classHosts = [
      owner,
      ...[...byHost.entries()]
        .filter(([h]) => h !== owner)
        .sort((a, b) => b[1] - a[1])
        .map(([h]) => h),
    ];
    return (
      placePeer({
        classHosts,
        classPeers: byHost,
        hosts,
        now: Date.now(),
        staleMs: this.config.presence.ttlMs,
        limits: { spreadAt: this.config.media.spreadAt, peersPerHost: this.config.media.peersPerHost },
      }) ?? owner
    );
  }

  /** The host holding most of a class that has no owner key (null: nobody of it is on a live host). */
  private async mainOfOwnerless(sessionId: string): Promise<string | null> {
    const classPeers = await this.media.classHosts.peersByHost(sessionId);
    if (!classPeers.size) return null;
    const hosts = await this.hosts.list();
    return classMain({ owner: null, classPeers, hosts, now: Date.now(), staleMs: this.config.presence.ttlMs });
  }

  /** Every host a class is on: its owner first, then the hosts of its peers. */
  private async hostsOfClass(sessionId: string, owner: string | null): Promise<string[]> {
    const byHost = await this.media.classHosts.peersByHost(sessionId);
    return [...new Set([...(owner ? [owner] : []), ...byHost.keys()])];
  }

  /** Runs a request where the class's media is hosted (claiming the class for this instance on a first join). */
  async call<R extends HostRequest>(request: R): Promise<HostReply<R>> {
    if (HOST_TO_HOST.has(request.op)) throw new Error(`${request.op} is sent to one host (callHost)`);
    const sessionId = hostSessionOf(request);
    // A peer's own request goes to the host it is on (a class may be spread over several).
    const peerId = peerOf(request);
    if (peerId && request.op !== 'join') {
      const at = await this.media.classHosts.peerHost(sessionId, peerId);
      if (at) return this.callHost(at, request);
    }
    let owner = await this.redis.get(ownerKey(sessionId));
    if (EVERY_CLASS_HOST.has(request.op)) {
      const hosts = await this.hostsOfClass(sessionId, owner);
      if (hosts.length > 1) {
        const results = await Promise.allSettled(hosts.map((h) => this.callHost(h, request)));
        const answered = results.find((r) => r.status === 'fulfilled');
        if (answered) return answered.value;
        throw (results[0] as PromiseRejectedResult).reason;
      }
      if (hosts.length === 1) owner = hosts[0];
    }
    if (!owner) {
      // Every request that only acts where the class is hosted answers null (HostReplies).
      if (ONLY_IF_HOSTED.has(request.op)) return null as HostReply<R>;
      if (LOCAL_IF_UNHOSTED.has(request.op)) return serveHostRequest(this.media, request);
      if (request.op !== 'join') throw new DomainError('MEDIA_NOT_JOINED', 'Join the media of this class first', 404);
      // A new class: placed on the least-loaded active media host (maybe this one), which the key names;
      // a class whose owner went away: on the live host holding most of its people (domain/host-regroup.ts).
      const host = (await this.mainOfOwnerless(sessionId)) ?? (await this.hosts.place());
      if (!host)
        throw new DomainError('MEDIA_UNAVAILABLE', 'No media server is taking new classes right now; try again', 503);
      const claimed = await this.redis.set(ownerKey(sessionId), host, 'PX', this.config.presence.ttlMs, 'NX');
      owner = claimed ? host : await this.redis.get(ownerKey(sessionId));
      if (!owner) throw new DomainError('MEDIA_UNAVAILABLE', "Could not place this class's media; try again", 503);
    }
    if (request.op === 'join') {
      // Not awaited: a join storm pays no extra round trip for it (regrouping only reads it beats later).
      void this.media.classHosts.noteJoin(sessionId, Date.now()).catch(() => undefined);
      const host = await this.hostForPeer(sessionId, owner, request.peerId);
      await this.media.classHosts.setPeerHost(sessionId, request.peerId, host);
      if (host === this.instanceId && owner === this.instanceId) this.owned.add(sessionId);
      return this.callHost(host, request).catch(async (e: unknown) => {
        await this.media.classHosts.releasePeer(sessionId, request.peerId, host).catch(() => undefined);
        throw e;
      });
    }
    if (owner === this.instanceId) return serveHostRequest(this.media, request);
    return this.remote(owner, request);
  }

  private remote<R extends HostRequest>(owner: string, request: R): Promise<HostReply<R>> {
    const id = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new DomainError('MEDIA_UNAVAILABLE', "The server hosting this class's media does not answer; retrying", 503),
        );
      }, RPC_TIMEOUT_MS);
      // The host answers with what serveHostRequest returned for this very request, so with HostReply<R>.
      this.pending.set(id, { resolve: (data) => resolve(data as HostReply<R>), reject, timer });
      const envelope: HostEnvelope = { id, from: this.instanceId, request };
      this.redis.publish(rpcChannel(owner), JSON.stringify(envelope)).then((receivers) => {
        // Nobody listens on that channel: the owner is gone although its key has not expired yet.
        if (receivers === 0) {
          clearTimeout(timer);
          this.pending.delete(id);
          reject(new DomainError('MEDIA_UNAVAILABLE', "The server hosting this class's media is gone; retrying", 503));
        }
      }, reject);
    });
  }

  private async message(channel: string, raw: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.logger.warn(
        `dropped a media ${channel === replyChannel(this.instanceId) ? 'reply' : 'request'} that is not JSON`,
      );
      return;
    }
    if (channel === replyChannel(this.instanceId)) this.answered(json);
    else await this.serve(json);
  }

  private answered(json: unknown): void {
    const parsed = hostAnswerSchema.safeParse(json);
    if (!parsed.success) {
      this.logger.warn(`dropped a malformed media reply: ${z.prettifyError(parsed.error)}`);
      return;
    }
    const reply = parsed.data;
    const p = this.pending.get(reply.id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.data);
    else p.reject(new DomainError(reply.error.code, reply.error.message, reply.error.status));
  }

  /** A request from another instance: parsed (it crossed a process boundary), run if this instance is the host, answered. */
  private async serve(json: unknown): Promise<void> {
    const envelope = hostEnvelopeSchema.safeParse(json);
    if (!envelope.success) {
      // No id or sender to answer to: the asking instance times out.
      this.logger.warn(`dropped a malformed media request: ${z.prettifyError(envelope.error)}`);
      return;
    }
    const { id, from } = envelope.data;
    let reply: HostAnswer;
    try {
      const parsed = hostRequestSchema.safeParse(envelope.data.request);
      if (!parsed.success) {
        throw new DomainError(
          'INVALID_HOST_REQUEST',
          `The media host refused this request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ')}`,
          400,
        );
      }
      const request = parsed.data;
      const sessionId = hostSessionOf(request);
      // Only the peer's host answers a peer's request: if it moved away meanwhile, the caller is told to rejoin.
      // Requests about the whole class, and those between hosts, act on whatever of the class is here.
      if (!HOST_TO_HOST.has(request.op) && !EVERY_CLASS_HOST.has(request.op) && !ONLY_IF_HOSTED.has(request.op)) {
        const peerId = peerOf(request);
        const at = peerId ? await this.media.classHosts.peerHost(sessionId, peerId) : null;
        const mine = at ? at === this.instanceId : (await this.redis.get(ownerKey(sessionId))) === this.instanceId;
        if (!mine) throw new DomainError('MEDIA_MOVED', "This class's media moved to another server; rejoin", 409);
      }
      if (request.op === 'join' && (await this.redis.get(ownerKey(sessionId))) === this.instanceId)
        this.owned.add(sessionId);
      reply = { id, ok: true, data: (await serveHostRequest(this.media, request)) ?? null };
    } catch (e) {
      const err = e instanceof DomainError ? e : new DomainError('INTERNAL', 'Something went wrong on our side', 500);
      if (!(e instanceof DomainError)) this.logger.error(e instanceof Error ? e.stack : String(e));
      reply = { id, ok: false, error: { code: err.code, message: err.message, status: err.status } };
    }
    await this.redis.publish(replyChannel(from), JSON.stringify(reply)).catch(() => undefined);
  }
}
