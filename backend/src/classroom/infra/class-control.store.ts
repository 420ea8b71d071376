import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import type { CourseRole } from '../../contracts/api';
import type { WaitingPerson } from '../../contracts/realtime';
import { REDIS } from '../../platform/redis';

/** A live class's control state lives as long as the class: two days covers any class and its stragglers. */
const TTL_SECONDS = 2 * 24 * 3600;
const waitingKey = (sid: string) => `class:waiting:${sid}`;
const admittedKey = (sid: string) => `class:admitted:${sid}`;
const deniedKey = (sid: string) => `class:denied:${sid}`;
const chatLockKey = (sid: string) => `class:chat-locked:${sid}`;
const asksKey = (sid: string) => `class:unmute-asks:${sid}`;
const cameKey = (sid: string) => `class:came:${sid}`;

/**
 * A knock on the class's door, decided in one step inside Redis so that an admission and a knock can
 * never cross: a person let in (or who was in the class before the waiting room was switched on) goes
 * in; someone turned away hears why; anyone else joins the waiting list (their socket with them).
 */
const KNOCK = `local msg = redis.call('HGET', KEYS[3], ARGV[1])
if msg then return {'denied', msg} end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return {'admitted', ''} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {'waiting', ''}`;

/** Lets in those named who are waiting; returns their ids. */
const ADMIT = `local out = {}
for i = 2, #ARGV do
  if redis.call('HDEL', KEYS[1], ARGV[i]) == 1 then
    redis.call('SADD', KEYS[2], ARGV[i])
    table.insert(out, ARGV[i])
  end
end
redis.call('EXPIRE', KEYS[2], ARGV[1])
return out`;

/** Turns someone away: off the list, and their next knock is refused with the message. */
const DENY = `redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1`;

/** A waiting socket went away: its entry goes, unless a newer socket of the same person replaced it. */
const LEAVE_WAITING = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and cjson.decode(v).socketId == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end
return 0`;

interface WaitingEntry extends WaitingPerson {
  socketId: string;
}

export type Knock = { outcome: 'admitted' } | { outcome: 'waiting' } | { outcome: 'denied'; message: string };

/**
 * The live class's control state in Redis, shared by every instance: the waiting list, who was let in or
 * turned away, the chat lock, who asked to unmute, and who came (for the end screen's summary).
 */
@Injectable()
export class ClassControlStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async knock(
    sessionId: string,
    person: { userId: string; name: string; role: CourseRole },
    socketId: string,
  ): Promise<Knock> {
    const entry: WaitingEntry = { ...person, since: new Date().toISOString(), socketId };
    const [outcome, message] = (await this.redis.eval(
      KNOCK,
      3,
      waitingKey(sessionId),
      admittedKey(sessionId),
      deniedKey(sessionId),
      person.userId,
      JSON.stringify(entry),
      String(TTL_SECONDS),
    )) as [string, string];
    if (outcome === 'denied') return { outcome, message };
    return { outcome: outcome === 'admitted' ? 'admitted' : 'waiting' };
  }

  async waiting(sessionId: string): Promise<WaitingPerson[]> {
    const raw = await this.redis.hvals(waitingKey(sessionId));
    return raw
      .map((r) => JSON.parse(r) as WaitingEntry)
      .map(({ userId, name, role, since }) => ({ userId, name, role, since }))
      .sort((a, b) => a.since.localeCompare(b.since));
  }

  async admit(sessionId: string, userIds: string[]): Promise<string[]> {
    return (await this.redis.eval(
      ADMIT,
      2,
      waitingKey(sessionId),
      admittedKey(sessionId),
      String(TTL_SECONDS),
      ...userIds,
    )) as string[];
  }

  async deny(sessionId: string, userId: string, message: string): Promise<void> {
    await this.redis.eval(
      DENY,
      3,
      waitingKey(sessionId),
      admittedKey(sessionId),
      deniedKey(sessionId),
      userId,
      message,
      String(TTL_SECONDS),
    );
  }

  async leaveWaiting(sessionId: string, userId: string, socketId: string): Promise<boolean> {
    return (await this.redis.eval(LEAVE_WAITING, 1, waitingKey(sessionId), userId, socketId)) === 1;
  }

  /** Someone is in the class: let in for good (a reconnect never waits), and counted for the summary. */
  async cameIn(sessionId: string, person: { userId: string; name: string; role: CourseRole }): Promise<void> {
    await this.redis
      .multi()
      .sadd(admittedKey(sessionId), person.userId)
      .expire(admittedKey(sessionId), TTL_SECONDS)
      .hset(cameKey(sessionId), person.userId, JSON.stringify({ name: person.name, role: person.role }))
      .expire(cameKey(sessionId), TTL_SECONDS)
      .exec();
  }

  async came(sessionId: string): Promise<Array<{ userId: string; name: string; role: CourseRole }>> {
    const all = await this.redis.hgetall(cameKey(sessionId));
    return Object.entries(all).map(([userId, v]) => ({
      userId,
      ...(JSON.parse(v) as { name: string; role: CourseRole }),
    }));
  }

  async chatLocked(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(chatLockKey(sessionId))) === 1;
  }

  async setChatLocked(sessionId: string, locked: boolean): Promise<void> {
    if (locked) await this.redis.set(chatLockKey(sessionId), '1', 'EX', TTL_SECONDS);
    else await this.redis.del(chatLockKey(sessionId));
  }

  async unmuteAsks(sessionId: string): Promise<string[]> {
    return (await this.redis.smembers(asksKey(sessionId))).sort();
  }

  async setAsking(sessionId: string, userId: string, asking: boolean): Promise<void> {
    if (asking)
      await this.redis.multi().sadd(asksKey(sessionId), userId).expire(asksKey(sessionId), TTL_SECONDS).exec();
    else await this.redis.srem(asksKey(sessionId), userId);
  }

  async clearAsks(sessionId: string, userIds?: string[]): Promise<void> {
    if (!userIds) await this.redis.del(asksKey(sessionId));
    else if (userIds.length) await this.redis.srem(asksKey(sessionId), ...userIds);
  }
}
