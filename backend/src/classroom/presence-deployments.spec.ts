import crypto from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { AppConfig } from '../config/config';
import { PresenceService } from './presence.service';

/**
 * Two deployments on one Redis (each its own QUEUE_PREFIX, as the test apps, or a staging beside
 * production): one deployment's sweep must never take the other's dead sockets. It did once: the rooms
 * index was one global set, so an instance of another deployment swept the people of our killed
 * instance, told its own attendance (another database), and our surviving instance never saw them go —
 * their attendance spans stayed open. Real Redis; the services are driven by hand (no beat timers).
 */
describe('presence: deployments sharing a Redis keep their rooms apart', () => {
  let redis: Redis;
  const started: PresenceService[] = [];
  const config = (queuePrefix: string) =>
    ({ queuePrefix, presence: { ttlMs: 1500, beatMs: 500, batchAbove: 50, batchMs: 250 } }) as unknown as AppConfig;

  beforeAll(() => {
    redis = new Redis(inject('services').redisUrl);
  });
  afterAll(async () => {
    for (const p of started) await p.onModuleDestroy();
    redis?.disconnect();
  });

  it("sweeps a dead instance's sockets only from its own deployment, and reports them there", async () => {
    const ours = `dep-ours-${crypto.randomBytes(4).toString('hex')}`;
    const theirs = `dep-theirs-${crypto.randomBytes(4).toString('hex')}`;
    const make = async (prefix: string, beating: boolean) => {
      const p = new PresenceService(redis, config(prefix));
      started.push(p);
      // onModuleInit beats once and starts the timer; the timer is stopped at once (sweeps are called here).
      if (beating) {
        await p.onModuleInit();
        clearInterval((p as unknown as { timer: NodeJS.Timeout }).timer);
      }
      return p;
    };
    const survivor = await make(ours, true);
    const dead = await make(ours, false); // never beats: its sockets are ghosts
    const other = await make(theirs, true);

    const sessionId = crypto.randomUUID();
    await dead.add(sessionId, {
      socketId: 'socket-1',
      userId: 'user-grace',
      courseId: 'course-1',
      name: 'Grace Hopper',
      role: 'learner',
      joinedAt: new Date().toISOString(),
    });
    const heardByOther: unknown[] = [];
    const heardBySurvivor: Array<{ sessionId: string; left: Array<{ userId: string }> }> = [];
    other.ghostsLeft.subscribe((e) => heardByOther.push(e));
    survivor.ghostsLeft.subscribe((e) => heardBySurvivor.push(e));

    // The other deployment sweeps first: it must not see our room at all.
    await other.sweep();
    expect(heardByOther).toEqual([]);
    expect(await redis.hlen(`presence:room:${sessionId}:sockets`)).toBe(1);

    await survivor.sweep();
    expect(heardBySurvivor.map((e) => [e.sessionId, e.left.map((l) => l.userId)])).toEqual([
      [sessionId, ['user-grace']],
    ]);
    expect(await redis.hlen(`presence:room:${sessionId}:sockets`)).toBe(0);
    expect(heardByOther).toEqual([]);
  });
});
