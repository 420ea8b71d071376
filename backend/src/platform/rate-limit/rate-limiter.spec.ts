import crypto from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadConfig } from '../../config/config';
import { DomainError } from '../domain-error';
import type { SessionClaims } from '../auth/session-token';
import type { ClassMembership } from '../socket-events';
import { RateLimitedError, RateLimiter, socketRateLimitCheck } from './rate-limiter';

// Two "servers": two RateLimiters, each on its own Redis connection, against the run's real Redis.
describe('RateLimiter (real Redis, two instances)', () => {
  const { redisUrl } = inject('services');
  const connections: Redis[] = [];
  let a: RateLimiter;
  let b: RateLimiter;
  const id = () => crypto.randomBytes(6).toString('hex');

  function limiter(prefix: string, rules = '') {
    const redis = new Redis(redisUrl);
    connections.push(redis);
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://unused/unused',
      REDIS_URL: redisUrl,
      LTI_KEY: 'k'.repeat(32),
      SESSION_SECRET: 's'.repeat(32),
      QUEUE_PREFIX: prefix,
      RATE_LIMIT_SCALE: '1',
      RATE_LIMIT_RULES: rules,
    });
    return new RateLimiter(redis, config);
  }

  const prefix = `rl-${id()}`;
  beforeAll(() => {
    a = limiter(prefix, 'hand=5/60000,wb.op=1000/1000,wb.board-bytes=1000/3600000,wb.user-bytes=100000/60000');
    b = limiter(prefix, 'hand=5/60000,wb.op=1000/1000,wb.board-bytes=1000/3600000,wb.user-bytes=100000/60000');
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit()));
  });

  it('shares one bucket between instances: the sixth take, on either, is refused with a wait', async () => {
    const key = `bucket-${id()}`;
    const rule = { points: 6, perMs: 60_000 };
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await (i % 2 ? b : a).take(key, rule));
    expect(results.every((r) => r.ok)).toBe(true);
    const refusedA = await a.take(key, rule);
    const refusedB = await b.take(key, rule);
    expect(refusedA.ok).toBe(false);
    expect(refusedB.ok).toBe(false);
    // One token comes back every 10 s.
    expect(refusedB.retryAfterMs).toBeGreaterThan(9_000);
    expect(refusedB.retryAfterMs).toBeLessThanOrEqual(10_000);
    // Another key is untouched.
    expect((await b.take(`bucket-${id()}`, rule)).ok).toBe(true);
  });

  it('takes concurrent requests from both instances exactly up to the limit', async () => {
    const key = `race-${id()}`;
    const rule = { points: 25, perMs: 600_000 };
    const all = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take(key, rule)));
    expect(all.filter((r) => r.ok)).toHaveLength(25);
  });

  it('refills with time', async () => {
    const key = `refill-${id()}`;
    const rule = { points: 2, perMs: 200 };
    expect((await a.take(key, rule, 2)).ok).toBe(true);
    const refused = await b.take(key, rule);
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(100);
    await new Promise((r) => setTimeout(r, refused.retryAfterMs + 20));
    expect((await b.take(key, rule)).ok).toBe(true);
  });

  it('charges all buckets or none, and refuses a cost larger than the bucket', async () => {
    const big = { points: 100, perMs: 60_000 };
    const small = { points: 10, perMs: 60_000 };
    const [k1, k2] = [`all-${id()}`, `all-${id()}`];
    expect(
      (
        await a.takeAll([
          { key: k1, rule: big, cost: 8 },
          { key: k2, rule: small, cost: 8 },
        ])
      ).ok,
    ).toBe(true);
    expect(
      (
        await b.takeAll([
          { key: k1, rule: big, cost: 8 },
          { key: k2, rule: small, cost: 8 },
        ])
      ).ok,
    ).toBe(false);
    // The refused charge took nothing from the big bucket: 92 are left.
    expect((await a.take(k1, big, 92)).ok).toBe(true);
    expect((await a.take(`over-${id()}`, small, 11)).ok).toBe(false);
  });

  it('answers a socket flood RATE_LIMITED per user, whichever instance has the socket', async () => {
    const [user, other] = [`u-${id()}`, `u-${id()}`];
    for (let i = 0; i < 5; i++) await (i % 2 ? a : b).limitSocketEvent('hand:set', user);
    const refused = await a.limitSocketEvent('hand:set', user).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect((refused as Error).message).toMatch(/retryAfterMs=\d+/);
    await expect(b.limitSocketEvent('hand:set', other)).resolves.toBeUndefined();
    // Another family of the same user has its own bucket.
    await expect(b.limitSocketEvent('chat:send', user)).resolves.toBeUndefined();
  });

  it("spends a board's byte budget across its drawers, and a refused op costs nothing", async () => {
    const board = `board-${id()}`;
    await a.limitSocketEvent('wb:op', `u-${id()}`, board, 400);
    await b.limitSocketEvent('wb:op', `u-${id()}`, board, 400);
    const third = `u-${id()}`;
    await expect(a.limitSocketEvent('wb:op', third, board, 400)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await b.limitSocketEvent('wb:op', third, board, 200);
    await expect(b.limitSocketEvent('wb:op', third, board, 1)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // Another board is its own budget.
    await expect(a.limitSocketEvent('wb:op', third, `board-${id()}`, 900)).resolves.toBeUndefined();
  });

  it("gives the socket gate a check charging the sender, and a whiteboard op's bytes to the member's class board", async () => {
    const check = socketRateLimitCheck(a);
    const sessionId = `class-${id()}`;
    const session = (userId: string) => ({ userId }) as SessionClaims;
    const member = { sessionId } as ClassMembership;
    await check('wb:op', session(`u-${id()}`), member, 600);
    // The same board, from another user and another instance: 400 left of 1000.
    await expect(socketRateLimitCheck(b)('wb:op', session(`u-${id()}`), member, 500)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    // A join (no membership yet) is charged to the user only.
    const joiner = `u-${id()}`;
    await check('room:join', session(joiner), null, 60);
    const level = await connections[0].hget(`${prefix}:rl:room.join:user:${joiner}`, 'level');
    expect(Number(level)).toBeCloseTo(29, 0);
  });

  it('caps the media peers a user holds at once, across instances; a renewal or a release makes room', async () => {
    const user = `u-${id()}`;
    const cap = { max: 2, leaseMs: 60_000 };
    await a.acquireMediaPeer(user, 'peer-1', cap);
    await b.acquireMediaPeer(user, 'peer-2', cap);
    await a.acquireMediaPeer(user, 'peer-1', cap);
    const refused = await b.acquireMediaPeer(user, 'peer-3', cap).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'MEDIA_PEER_LIMIT', status: 429 });
    await a.releaseMediaPeer(user, 'peer-2');
    await expect(b.acquireMediaPeer(user, 'peer-3', cap)).resolves.toBeUndefined();
    // A claim not renewed lapses (an instance that died cannot hold a slot for ever).
    const lapsing = `u-${id()}`;
    await a.acquireMediaPeer(lapsing, 'old', { max: 1, leaseMs: 100 });
    await expect(b.acquireMediaPeer(lapsing, 'new', { max: 1, leaseMs: 100 })).rejects.toMatchObject({
      code: 'MEDIA_PEER_LIMIT',
    });
    await new Promise((r) => setTimeout(r, 150));
    await expect(b.acquireMediaPeer(lapsing, 'new', { max: 1, leaseMs: 100 })).resolves.toBeUndefined();
  });

  it('keeps deployments that share a Redis apart', async () => {
    const user = `u-${id()}`;
    const other = limiter(`rl-${id()}`, 'hand=5/60000');
    for (let i = 0; i < 5; i++) await a.limitSocketEvent('hand:set', user);
    await expect(a.limitSocketEvent('hand:set', user)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(other.limitSocketEvent('hand:set', user)).resolves.toBeUndefined();
  });
});
