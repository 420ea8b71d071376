import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { AppConfig } from '../config/config';
import type { Participant } from '../contracts/realtime';
import { APP_CONFIG, REDIS } from '../platform/redis';
import { ghostSockets, NO_FLAGS, ParticipantFlags, participantsOf, SocketEntry, usersLeft } from './domain/presence';

const socketsKey = (sid: string) => `presence:room:${sid}:sockets`;
const flagsKey = (sid: string) => `presence:room:${sid}:flags`;
const instanceKey = (id: string) => `presence:instance:${id}`;
const ACTIVE_ROOMS = 'presence:rooms';

/**
 * Who is in each live room, kept in Redis so that every backend instance sees the same people. Each
 * instance beats (a key with a short TTL); sockets of an instance that stopped beating are ghosts, and
 * any instance sweeps them away within seconds.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  readonly instanceId = crypto.randomUUID();
  private readonly logger = new Logger('Presence');
  private timer?: NodeJS.Timeout;
  /** Called with the people a sweep found gone (set by the gateway, which tells the rooms). */
  onGhostsLeft: (sessionId: string, courseId: string, userIds: string[]) => void = () => undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      void this.beat()
        .then(() => this.sweep())
        .catch((e) => this.logger.warn(`presence beat failed: ${(e as Error).message}`));
    }, this.config.presence.beatMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    // A clean shutdown removes this instance at once; a crash is caught by the sweep.
    await this.redis.del(instanceKey(this.instanceId)).catch(() => undefined);
  }

  private beat() {
    return this.redis.set(instanceKey(this.instanceId), '1', 'PX', this.config.presence.ttlMs);
  }

  /** Adds a socket; says whether it is this person's first socket in the room. */
  async add(sessionId: string, entry: Omit<SocketEntry, 'instanceId'>): Promise<boolean> {
    const before = await this.entries(sessionId);
    await this.redis
      .multi()
      .hset(socketsKey(sessionId), entry.socketId, JSON.stringify({ ...entry, instanceId: this.instanceId }))
      .sadd(ACTIVE_ROOMS, sessionId)
      .exec();
    const live = await this.liveInstances(before);
    return !before.some((s) => s.userId === entry.userId && live.has(s.instanceId));
  }

  /** Removes a socket; returns the user id when that was their last socket in the room. */
  async remove(sessionId: string, socketId: string): Promise<string | null> {
    const all = await this.entries(sessionId);
    const mine = all.find((s) => s.socketId === socketId);
    if (!mine) return null;
    await this.redis.hdel(socketsKey(sessionId), socketId);
    const left = usersLeft(all, [mine]);
    if (left.length) await this.redis.hdel(flagsKey(sessionId), ...left);
    return left[0] ?? null;
  }

  async participants(sessionId: string): Promise<Participant[]> {
    const [sockets, flags] = await Promise.all([this.entries(sessionId), this.flags(sessionId)]);
    return participantsOf(sockets, flags, await this.liveInstances(sockets));
  }

  async participant(sessionId: string, userId: string): Promise<Participant | null> {
    return (await this.participants(sessionId)).find((p) => p.userId === userId) ?? null;
  }

  async setFlags(sessionId: string, userId: string, patch: Partial<ParticipantFlags>): Promise<void> {
    const current = (await this.flags(sessionId)).get(userId) ?? NO_FLAGS;
    await this.redis.hset(flagsKey(sessionId), userId, JSON.stringify({ ...current, ...patch }));
  }

  /** Removes the sockets of dead instances from every active room (one sweeper per room at a time). */
  async sweep(): Promise<void> {
    for (const sid of await this.redis.smembers(ACTIVE_ROOMS)) {
      if (!(await this.redis.set(`presence:room:${sid}:sweep`, this.instanceId, 'PX', this.config.presence.beatMs, 'NX'))) continue;
      const sockets = await this.entries(sid);
      if (sockets.length === 0) {
        await this.redis.multi().srem(ACTIVE_ROOMS, sid).del(flagsKey(sid)).exec();
        continue;
      }
      const ghosts = ghostSockets(sockets, await this.liveInstances(sockets));
      if (ghosts.length === 0) continue;
      await this.redis.hdel(socketsKey(sid), ...ghosts.map((g) => g.socketId));
      const left = usersLeft(sockets, ghosts);
      if (left.length) {
        await this.redis.hdel(flagsKey(sid), ...left);
        this.onGhostsLeft(sid, ghosts[0].courseId, left);
      }
    }
  }

  /** Drops a room's presence (the class ended). */
  async clear(sessionId: string): Promise<void> {
    await this.redis.multi().del(socketsKey(sessionId), flagsKey(sessionId)).srem(ACTIVE_ROOMS, sessionId).exec();
  }

  private async entries(sessionId: string): Promise<SocketEntry[]> {
    const raw = await this.redis.hgetall(socketsKey(sessionId));
    return Object.values(raw).map((v) => JSON.parse(v) as SocketEntry);
  }

  private async flags(sessionId: string): Promise<Map<string, ParticipantFlags>> {
    const raw = await this.redis.hgetall(flagsKey(sessionId));
    return new Map(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as ParticipantFlags]));
  }

  private async liveInstances(sockets: readonly SocketEntry[]): Promise<Set<string>> {
    const ids = [...new Set(sockets.map((s) => s.instanceId))];
    if (ids.length === 0) return new Set();
    const alive = await this.redis.mget(...ids.map(instanceKey));
    return new Set(ids.filter((_, i) => alive[i] !== null));
  }
}
