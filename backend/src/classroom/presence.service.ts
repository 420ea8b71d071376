import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import { Subject } from 'rxjs';
import type { AppConfig } from '../config/config';
import type { Participant } from '../contracts/realtime';
import { APP_CONFIG } from '../config/config';
import { REDIS } from '../platform/redis';
import { ghostSockets, NO_FLAGS, ParticipantFlags, participantsOf, SocketEntry } from './domain/presence';

const socketsKey = (sid: string) => `presence:room:${sid}:sockets`;
/** Sockets per person (HINCRBY: atomic, so two tabs joining or leaving at once are counted right). */
const countsKey = (sid: string) => `presence:room:${sid}:counts`;
/** The hash of who is in a class now (its fields are user ids): the big-lecture counts read it (media/hls-handoff.service.ts). */
export const presentPeopleKey = countsKey;
/** One field per person and flag (`userId:handRaised`), so two changes at once never overwrite each other. */
const flagsKey = (sid: string) => `presence:room:${sid}:flags`;
const instanceKey = (id: string) => `presence:instance:${id}`;
const FLAG_NAMES = ['camera', 'mic', 'handRaised'] as const;

/**
 * Who is in each live room, kept in Redis so that every backend instance sees the same people. Each
 * instance beats (a key with a short TTL); sockets of an instance that stopped beating are ghosts, and
 * any instance sweeps them away within seconds. An instance that was only slow (its key expired while
 * its sockets lived) puts its sockets back at its next beat.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  readonly instanceId = crypto.randomUUID();
  private readonly logger = new Logger('Presence');
  private timer?: NodeJS.Timeout;
  /** This instance's own sockets (a cache of what it wrote, to re-assert after a missed beat). */
  private readonly local = new Map<string, { sessionId: string; entry: SocketEntry }>();
  /** Called with the people a sweep found gone (set by the gateway, which tells the rooms). */
  /**
   * People a sweep found gone with their dead instance (no socket left), with when that instance died (its
   * last beat): the room tells the class, attendance ends spans there. A typed stream, not a hook others assign.
   */
  readonly ghostsLeft = new Subject<{
    sessionId: string;
    courseId: string;
    left: Array<{ userId: string; at: Date }>;
  }>();

  /**
   * The deployment's index of rooms with people in them (what the sweep walks), and each instance's last
   * beat (ms, kept after its key expires: when a dead instance died). Both under QUEUE_PREFIX: another
   * deployment on the same Redis must not sweep this one's rooms (its instances would end the spans of
   * our dead instance's people in its own database, and ours would never hear of them).
   */
  private readonly activeRooms: string;
  private readonly beats: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.activeRooms = `${config.queuePrefix}:presence:rooms`;
    this.beats = `${config.queuePrefix}:presence:beats`;
  }

  async onModuleInit(): Promise<void> {
    await this.pruneBeats();
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
    await this.redis.hdel(this.beats, this.instanceId).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    const [[, previous]] = (await this.redis
      .multi()
      .set(instanceKey(this.instanceId), '1', 'PX', this.config.presence.ttlMs, 'GET')
      .hset(this.beats, this.instanceId, String(now))
      .exec()) as [[Error | null, string | null], unknown];
    if (previous === null && this.local.size > 0) {
      // The key had expired: other instances may have swept our live sockets as ghosts. Put them back.
      for (const { sessionId, entry } of this.local.values()) {
        if (await this.redis.hsetnx(socketsKey(sessionId), entry.socketId, JSON.stringify(entry))) {
          await this.redis
            .multi()
            .hincrby(countsKey(sessionId), entry.userId, 1)
            .sadd(this.activeRooms, sessionId)
            .exec();
        }
      }
      this.logger.warn(`missed heartbeats: re-asserted ${this.local.size} sockets`);
    }
  }

  /** Adds a socket; says whether it is this person's first socket in the room. */
  async add(sessionId: string, e: Omit<SocketEntry, 'instanceId'>): Promise<boolean> {
    const entry: SocketEntry = { ...e, instanceId: this.instanceId };
    this.local.set(entry.socketId, { sessionId, entry });
    const res = await this.redis
      .multi()
      .hset(socketsKey(sessionId), entry.socketId, JSON.stringify(entry))
      .hincrby(countsKey(sessionId), entry.userId, 1)
      .sadd(this.activeRooms, sessionId)
      .exec();
    return Number(res?.[1]?.[1]) === 1;
  }

  /** Removes a socket; returns the user id when that was their last socket in the room. */
  async remove(sessionId: string, socketId: string): Promise<string | null> {
    const cached = this.local.get(socketId);
    this.local.delete(socketId);
    const raw = cached ? JSON.stringify(cached.entry) : await this.redis.hget(socketsKey(sessionId), socketId);
    if (!raw) return null;
    const entry = JSON.parse(raw) as SocketEntry;
    if (!(await this.redis.hdel(socketsKey(sessionId), socketId))) return null; // already swept
    return (await this.decrement(sessionId, [entry.userId]))[0] ?? null;
  }

  /** Counts down a socket per user id; returns those who have none left (their flags go too). */
  private async decrement(sessionId: string, userIds: string[]): Promise<string[]> {
    const left: string[] = [];
    for (const userId of userIds) {
      const n = await this.redis.hincrby(countsKey(sessionId), userId, -1);
      if (n <= 0) {
        await this.redis
          .multi()
          .hdel(countsKey(sessionId), userId)
          .hdel(flagsKey(sessionId), ...FLAG_NAMES.map((f) => `${userId}:${f}`))
          .exec();
        left.push(userId);
      }
    }
    return left;
  }

  async participants(sessionId: string): Promise<Participant[]> {
    const [sockets, flags] = await Promise.all([this.entries(sessionId), this.flags(sessionId)]);
    return participantsOf(sockets, flags, await this.liveInstances(sockets));
  }

  async participant(sessionId: string, userId: string): Promise<Participant | null> {
    return (await this.participants(sessionId)).find((p) => p.userId === userId) ?? null;
  }

  async setFlags(sessionId: string, userId: string, patch: Partial<ParticipantFlags>): Promise<void> {
    const fields = Object.entries(patch).flatMap(([k, v]) => [`${userId}:${k}`, v ? '1' : '0']);
    if (fields.length) await this.redis.hset(flagsKey(sessionId), ...fields);
  }

  /** Removes the sockets of dead instances from every active room (one sweeper per room at a time). */
  async sweep(): Promise<void> {
    for (const sid of await this.redis.smembers(this.activeRooms)) {
      if (
        !(await this.redis.set(`presence:room:${sid}:sweep`, this.instanceId, 'PX', this.config.presence.beatMs, 'NX'))
      )
        continue;
      const sockets = await this.entries(sid);
      if (sockets.length === 0) {
        // Only an empty room is dropped from the index, and only if it is still empty.
        await this.redis.eval(
          `if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]); redis.call('DEL', KEYS[3], KEYS[4]) end return 0`,
          4,
          socketsKey(sid),
          this.activeRooms,
          flagsKey(sid),
          countsKey(sid),
          sid,
        );
        continue;
      }
      const ghosts = ghostSockets(sockets, await this.liveInstances(sockets));
      if (ghosts.length === 0) continue;
      const removed: string[] = [];
      for (const g of ghosts) if (await this.redis.hdel(socketsKey(sid), g.socketId)) removed.push(g.userId);
      const left = await this.decrement(sid, removed);
      if (left.length) {
        const died = await this.lastBeats(ghosts.map((g) => g.instanceId));
        const at = (userId: string) =>
          new Date(Math.max(...ghosts.filter((g) => g.userId === userId).map((g) => died.get(g.instanceId)!)));
        this.ghostsLeft.next({
          sessionId: sid,
          courseId: ghosts[0].courseId,
          left: left.map((userId) => ({ userId, at: at(userId) })),
        });
      }
    }
  }

  /** Forgets the last beats of instances gone for a day (their rooms were swept long ago). */
  private async pruneBeats(): Promise<void> {
    const old = Date.now() - 24 * 3_600_000;
    const beats = await this.redis.hgetall(this.beats);
    const gone = Object.entries(beats).filter(([, at]) => Number(at) < old);
    if (gone.length) await this.redis.hdel(this.beats, ...gone.map(([id]) => id));
  }

  /** When each instance last beat (unknown: one TTL ago, the latest it can have been alive). */
  private async lastBeats(instanceIds: string[]): Promise<Map<string, number>> {
    const ids = [...new Set(instanceIds)];
    const beats = await this.redis.hmget(this.beats, ...ids);
    const fallback = Date.now() - this.config.presence.ttlMs;
    return new Map(ids.map((id, i) => [id, beats[i] === null ? fallback : Number(beats[i])]));
  }

  /** Drops a room's presence (the class ended). */
  async clear(sessionId: string): Promise<void> {
    for (const [socketId, v] of this.local) if (v.sessionId === sessionId) this.local.delete(socketId);
    await this.redis
      .multi()
      .del(socketsKey(sessionId), flagsKey(sessionId), countsKey(sessionId))
      .srem(this.activeRooms, sessionId)
      .exec();
  }

  private async entries(sessionId: string): Promise<SocketEntry[]> {
    const raw = await this.redis.hgetall(socketsKey(sessionId));
    return Object.values(raw).map((v) => JSON.parse(v) as SocketEntry);
  }

  private async flags(sessionId: string): Promise<Map<string, ParticipantFlags>> {
    const raw = await this.redis.hgetall(flagsKey(sessionId));
    const out = new Map<string, ParticipantFlags>();
    for (const [field, value] of Object.entries(raw)) {
      const i = field.lastIndexOf(':');
      const userId = field.slice(0, i);
      const flag = field.slice(i + 1) as keyof ParticipantFlags;
      if (!FLAG_NAMES.includes(flag)) continue;
      out.set(userId, { ...(out.get(userId) ?? NO_FLAGS), [flag]: value === '1' });
    }
    return out;
  }

  private async liveInstances(sockets: readonly SocketEntry[]): Promise<Set<string>> {
    const ids = [...new Set(sockets.map((s) => s.instanceId))];
    if (ids.length === 0) return new Set();
    const alive = await this.redis.mget(...ids.map(instanceKey));
    return new Set(ids.filter((_, i) => alive[i] !== null));
  }
}
