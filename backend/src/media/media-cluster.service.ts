import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import crypto from 'node:crypto';
import type Redis from 'ioredis';
import type { Subscription } from 'rxjs';
import type { AppConfig } from '../config/config';
import { DomainError } from '../platform/domain-error';
import { DomainEvents } from '../platform/domain-events';
import { APP_CONFIG, createRedis, REDIS } from '../platform/redis';
import { MediaService } from './media.service';

/** The MediaService methods a class's media is driven by; each runs on the instance that hosts the class's media. */
export type MediaMethod =
  | 'join' | 'ready' | 'createTransport' | 'connectTransport' | 'restartIce' | 'produce' | 'pauseProducer'
  | 'closeProducer' | 'consume' | 'resumeConsumer' | 'setLayers' | 'leave' | 'setPolicy'
  | 'socketDropped' | 'teacherAction' | 'closeRoom';
const METHODS = new Set<MediaMethod>([
  'join', 'ready', 'createTransport', 'connectTransport', 'restartIce', 'produce', 'pauseProducer',
  'closeProducer', 'consume', 'resumeConsumer', 'setLayers', 'leave', 'setPolicy', 'socketDropped', 'teacherAction', 'closeRoom',
]);
/** Methods that only make sense where the room already is: with no host anywhere, they do nothing. */
const ONLY_IF_HOSTED = new Set<MediaMethod>(['socketDropped', 'teacherAction', 'closeRoom', 'leave']);

const ownerKey = (sessionId: string) => `media:owner:${sessionId}`;
const rpcChannel = (instanceId: string) => `media:rpc:${instanceId}`;
const replyChannel = (instanceId: string) => `media:reply:${instanceId}`;
const RPC_TIMEOUT_MS = 5000;

/** Refreshes the owner key while it is ours (or free again); 0 when another instance took over after we stalled. */
const REFRESH = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

type Request = { id: string; from: string; sessionId: string; method: MediaMethod; args: unknown[] };
type Reply = { id: string; ok: true; data: unknown } | { id: string; ok: false; error: { code: string; message: string; status: number } };

/**
 * Several backend instances, one class: a class's media (its mediasoup routers, transports, producers)
 * lives on one instance, the one that took the class's owner key in Redis at the first media join. Any
 * instance's socket can signal for it: the call is run locally when this instance hosts the class, else
 * sent over Redis pub/sub to the host and answered there (notifications reach sockets on every
 * instance through the Socket.io Redis adapter). The key lives while the host beats; when the host dies
 * its key expires, its people's transports fail, their browsers rejoin, and another instance hosts.
 */
@Injectable()
export class MediaCluster implements OnModuleInit, OnModuleDestroy {
  readonly instanceId = crypto.randomUUID();
  private readonly logger = new Logger('MediaCluster');
  private sub: Redis | null = null;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void; timer: NodeJS.Timeout }>();
  private readonly owned = new Set<string>();
  private beat: NodeJS.Timeout | null = null;
  private readonly subs: Subscription[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly media: MediaService,
    private readonly events: DomainEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    this.sub = createRedis(this.config.redisUrl);
    this.sub.on('message', (channel: string, raw: string) => void this.message(channel, raw));
    await this.sub.subscribe(rpcChannel(this.instanceId), replyChannel(this.instanceId));
    this.media.onRoomClosed = (sessionId) => {
      this.owned.delete(sessionId);
      void this.redis.eval(RELEASE, 1, ownerKey(sessionId), this.instanceId).catch(() => undefined);
    };
    this.beat = setInterval(() => void this.refresh(), this.config.presence.beatMs);
    this.beat.unref();
    // Teacher controls and the end of class happen on the teacher's instance; the host acts on them.
    this.subs.push(
      this.events.on('participant.controlled').subscribe(({ sessionId, userId, action }) => void this.call(sessionId, 'teacherAction', [sessionId, userId, action]).catch((e) => this.logger.warn(`teacher action on media failed: ${(e as Error).message}`))),
      this.events.on('session.ended').subscribe(({ sessionId }) => void this.call(sessionId, 'closeRoom', [sessionId]).catch((e) => this.logger.warn(`closing media failed: ${(e as Error).message}`))),
    );
  }

  async onModuleDestroy(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    if (this.beat) clearInterval(this.beat);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new DomainError('MEDIA_UNAVAILABLE', 'The server is shutting down', 503));
    }
    await Promise.all([...this.owned].map((sid) => this.redis.eval(RELEASE, 1, ownerKey(sid), this.instanceId).catch(() => undefined)));
    this.sub?.disconnect();
  }

  private async refresh(): Promise<void> {
    for (const sid of [...this.owned]) {
      // Released only when nothing is hosted here, and no join is under way (the first join of a
      // process waits for its workers to start, which can outlast a heartbeat).
      if (!this.media.isHosting(sid)) {
        this.owned.delete(sid);
        await this.redis.eval(RELEASE, 1, ownerKey(sid), this.instanceId).catch(() => undefined);
        continue;
      }
      const kept = await this.redis.eval(REFRESH, 1, ownerKey(sid), this.instanceId, String(this.config.presence.ttlMs)).catch(() => 1);
      if (kept === 0) {
        // Another instance hosts the class now (we stalled past the TTL): ours is stale; let its people rejoin there.
        this.logger.warn(`lost the media of class ${sid} to another instance`);
        this.owned.delete(sid);
        this.media.closeRoom(sid, 'The media server moved');
      }
    }
  }

  /** Runs a media call where the class's media is hosted (claiming the class for this instance on a first join). */
  async call<T>(sessionId: string, method: MediaMethod, args: unknown[]): Promise<T> {
    let owner = await this.redis.get(ownerKey(sessionId));
    if (!owner) {
      if (ONLY_IF_HOSTED.has(method)) return null as T;
      if (method !== 'join') throw new DomainError('MEDIA_NOT_JOINED', 'Join the media of this class first', 404);
      const claimed = await this.redis.set(ownerKey(sessionId), this.instanceId, 'PX', this.config.presence.ttlMs, 'NX');
      owner = claimed ? this.instanceId : await this.redis.get(ownerKey(sessionId));
      if (!owner) throw new DomainError('MEDIA_UNAVAILABLE', 'Could not place this class\'s media; try again', 503);
    }
    if (owner === this.instanceId) {
      if (method === 'join') this.owned.add(sessionId);
      return this.local(method, args) as Promise<T>;
    }
    return this.remote(owner, sessionId, method, args) as Promise<T>;
  }

  private async local(method: MediaMethod, args: unknown[]): Promise<unknown> {
    const fn = (this.media as unknown as Record<MediaMethod, (...a: unknown[]) => unknown>)[method];
    return fn.apply(this.media, args);
  }

  private remote(owner: string, sessionId: string, method: MediaMethod, args: unknown[]): Promise<unknown> {
    const id = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DomainError('MEDIA_UNAVAILABLE', 'The server hosting this class\'s media does not answer; retrying', 503));
      }, RPC_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      const request: Request = { id, from: this.instanceId, sessionId, method, args };
      this.redis.publish(rpcChannel(owner), JSON.stringify(request)).then((receivers) => {
        // Nobody listens on that channel: the owner is gone although its key has not expired yet.
        if (receivers === 0) {
          clearTimeout(timer);
          this.pending.delete(id);
          reject(new DomainError('MEDIA_UNAVAILABLE', 'The server hosting this class\'s media is gone; retrying', 503));
        }
      }, reject);
    });
  }

  private async message(channel: string, raw: string): Promise<void> {
    let msg: Request | Reply;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (channel === replyChannel(this.instanceId)) {
      const reply = msg as Reply;
      const p = this.pending.get(reply.id);
      if (!p) return;
      clearTimeout(p.timer);
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.data);
      else p.reject(new DomainError(reply.error.code, reply.error.message, reply.error.status));
      return;
    }
    const req = msg as Request;
    if (!METHODS.has(req.method)) return;
    let reply: Reply;
    try {
      // Only the host answers: if the class moved away meanwhile, the caller is told to rejoin.
      if ((await this.redis.get(ownerKey(req.sessionId))) !== this.instanceId && !ONLY_IF_HOSTED.has(req.method)) {
        throw new DomainError('MEDIA_MOVED', 'This class\'s media moved to another server; rejoin', 409);
      }
      if (req.method === 'join') this.owned.add(req.sessionId);
      reply = { id: req.id, ok: true, data: (await this.local(req.method, req.args)) ?? null };
    } catch (e) {
      const err = e instanceof DomainError ? e : new DomainError('INTERNAL', 'Something went wrong on our side', 500);
      if (!(e instanceof DomainError)) this.logger.error(e instanceof Error ? e.stack : String(e));
      reply = { id: req.id, ok: false, error: { code: err.code, message: err.message, status: err.status } };
    }
    await this.redis.publish(replyChannel(req.from), JSON.stringify(reply)).catch(() => undefined);
  }
}
