import Redis from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { boardLogContract } from './board-log.contract';
import { InMemoryBoardLog } from './infra/in-memory-board-log';
import { decodeEntry, RedisBoardLog } from './infra/redis-board-log';

boardLogContract('Redis (two instances, each with its own connection)', () => {
  const redis = new Redis(inject('services').redisUrl);
  const a = new RedisBoardLog(redis);
  const b = new RedisBoardLog(redis);
  return {
    a,
    b,
    close: () => {
      a.close();
      b.close();
      redis.disconnect();
    },
  };
});

boardLogContract('in memory (one log, two handles)', () => {
  const log = new InMemoryBoardLog();
  return { a: log, b: log, close: () => log.close() };
});

describe('Redis board log entries', () => {
  const op = { type: 'undo', opId: 'op-undo-1' } as const;

  it('R9: reads an entry in the short form releases before named fields wrote (u, o, i, t, s) as the named one', () => {
    expect(decodeEntry(JSON.stringify({ pos: 4, u: 'grace', o: op, i: 'inst-1', t: 'tok-1', s: 'sock-1' }))).toEqual({
      pos: 4,
      userId: 'grace',
      op,
      instance: 'inst-1',
      token: 'tok-1',
      socket: 'sock-1',
    });
    expect(decodeEntry(JSON.stringify({ pos: 5, u: 'grace', o: op, i: 'inst-1', t: 'tok-2' }))).toEqual({
      pos: 5,
      userId: 'grace',
      op,
      instance: 'inst-1',
      token: 'tok-2',
    });
    expect(decodeEntry(JSON.stringify({ pos: 6, userId: 'ada', op, instance: 'inst-2', token: 'tok-3' }))).toEqual({
      pos: 6,
      userId: 'ada',
      op,
      instance: 'inst-2',
      token: 'tok-3',
    });
  });

  it('R9: writes entries with named fields (what a reader of Redis sees), position first', async () => {
    const redis = new Redis(inject('services').redisUrl);
    const log = new RedisBoardLog(redis);
    try {
      const sid = crypto.randomUUID();
      await log.append(sid, 0, [
        { userId: 'ada', teacher: true, op, instance: 'inst-1', token: 'tok-1', socket: 'sock-1' },
      ]);
      expect(await redis.lrange(`wb:${sid}:log`, 0, -1)).toEqual([
        JSON.stringify({ pos: 1, userId: 'ada', op, instance: 'inst-1', token: 'tok-1', socket: 'sock-1' }),
      ]);
    } finally {
      log.close();
      redis.disconnect();
    }
  });
});
