import Bull, { Queue } from 'bull';
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { forgetRedisKeys } from '../testing/forget-redis-keys';
import { waitFor } from '../testing/wait-for';
import { RepeatableJobSpec, RepeatableSchedule, schedulesToRestore } from './repeatable-schedule';

const SWEEP: RepeatableJobSpec = { name: 'sweep', jobId: 'the-sweep', every: 60_000, runWhenRestored: true };
const PURGE: RepeatableJobSpec = { name: 'purge', jobId: 'the-purge', every: 600_000 };

describe('schedulesToRestore', () => {
  const now = 1_800_000_000_000;
  const entry = (
    over: Partial<{ name: string; id: string | null; every: number | string | null; next: number }> = {},
  ) => ({
    name: 'sweep',
    id: 'the-sweep',
    every: '60000',
    next: now + 30_000,
    ...over,
  });

  it('keeps a job Bull has, with its next run ahead', () => {
    expect(schedulesToRestore([entry()], [SWEEP], now)).toEqual([]);
    expect(schedulesToRestore([entry({ every: 60_000 })], [SWEEP], now)).toEqual([]);
  });

  it('restores a job Bull no longer has', () => {
    expect(schedulesToRestore([], [SWEEP, PURGE], now)).toEqual([SWEEP, PURGE]);
    expect(schedulesToRestore([entry()], [SWEEP, PURGE], now)).toEqual([PURGE]);
  });

  it('does not take another job, or the same job at another interval, for ours', () => {
    expect(schedulesToRestore([entry({ name: 'other' })], [SWEEP], now)).toEqual([SWEEP]);
    expect(schedulesToRestore([entry({ id: 'other-id' })], [SWEEP], now)).toEqual([SWEEP]);
    expect(schedulesToRestore([entry({ id: null })], [SWEEP], now)).toEqual([SWEEP]);
    expect(schedulesToRestore([entry({ every: '30000' })], [SWEEP], now)).toEqual([SWEEP]);
  });

  it('restores a job whose next run is more than a period (at least a minute) behind: its delayed job is lost', () => {
    expect(schedulesToRestore([entry({ next: now - 10_000 })], [SWEEP], now)).toEqual([]); // due, waiting for a worker
    expect(schedulesToRestore([entry({ next: now - 61_000 })], [SWEEP], now)).toEqual([SWEEP]);
    const purge = entry({ name: 'purge', id: 'the-purge', every: '600000' });
    expect(schedulesToRestore([{ ...purge, next: now - 300_000 }], [PURGE], now)).toEqual([]);
    expect(schedulesToRestore([{ ...purge, next: now - 601_000 }], [PURGE], now)).toEqual([PURGE]);
  });
});

describe('RepeatableSchedule (Bull on real Redis)', () => {
  const { redisUrl } = inject('services');
  const prefix = `sched-${crypto.randomBytes(4).toString('hex')}`;
  const queues: Queue[] = [];
  const schedules: RepeatableSchedule[] = [];

  // No worker on these queues: jobs stay where the schedule put them, to be looked at.
  const instance = (specs: RepeatableJobSpec[], checkMs = 100, name = 'jobs') => {
    const queue = new Bull(name, redisUrl, { prefix });
    const schedule = new RepeatableSchedule(queue, specs, checkMs);
    queues.push(queue);
    schedules.push(schedule);
    return { queue, schedule };
  };
  const ours = async (queue: Queue) =>
    (await queue.getRepeatableJobs()).map((j) => `${j.name}/${j.id}/${j.every}`).sort();
  const delayedIds = async (queue: Queue) => (await queue.getDelayed()).map((j) => String(j.id)).sort();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  afterEach(async () => {
    for (const s of schedules.splice(0)) await s.stop();
    for (const q of queues.splice(0)) await q.close();
    await forgetRedisKeys(redisUrl, prefix);
  });

  it('schedules its jobs at start, once however many instances start', async () => {
    const a = instance([SWEEP, PURGE]);
    const b = instance([SWEEP, PURGE]);
    await Promise.all([a.schedule.start(), b.schedule.start()]);
    await sleep(350); // a few checks on each instance
    expect(await ours(a.queue)).toEqual(['purge/the-purge/600000', 'sweep/the-sweep/60000']);
    expect(await delayedIds(a.queue)).toHaveLength(2); // one next run each
    expect(await a.queue.getWaiting()).toEqual([]); // nothing was missing: no extra run
  });

  it('adds back what Redis lost, on its own, and runs a job that asks for it once at once', async () => {
    const a = instance([SWEEP, PURGE]);
    const b = instance([SWEEP, PURGE]);
    await a.schedule.start();
    await b.schedule.start();
    const before = await delayedIds(a.queue);
    expect(await forgetRedisKeys(redisUrl, prefix)).toBeGreaterThan(0);
    expect(await ours(a.queue)).toEqual([]);

    await waitFor(
      async () => (await ours(a.queue)).length === 2 && (await delayedIds(a.queue)).length === 2,
      'the schedule to come back',
      5_000,
    );
    expect(await ours(a.queue)).toEqual(['purge/the-purge/600000', 'sweep/the-sweep/60000']);
    expect(await delayedIds(a.queue)).toEqual(before); // the same next runs as before the loss
    const waiting = await a.queue.getWaiting();
    expect(waiting.map((j) => ({ name: j.name, data: j.data }))).toEqual([{ name: 'sweep', data: { restored: true } }]);
    await sleep(300); // both instances kept checking: still one of each
    expect(await ours(a.queue)).toEqual(['purge/the-purge/600000', 'sweep/the-sweep/60000']);
    expect(await delayedIds(a.queue)).toEqual(before);
  });

  it('runs a restored job on its schedule again, on a worker that lived through the loss', async () => {
    const { queue, schedule } = instance([{ name: 'tick', jobId: 'the-tick', every: 200 }], 100, 'ticking');
    const runs: number[] = [];
    void queue.process('tick', async () => {
      runs.push(Date.now());
    });
    await schedule.start();
    await waitFor(async () => runs.length >= 2, 'two runs before the loss', 5_000);
    await forgetRedisKeys(redisUrl, prefix);
    const lostAt = Date.now();
    await waitFor(async () => runs.filter((t) => t > lostAt).length >= 3, 'three runs after the loss', 5_000);
  });

  it('adds back a job whose entry survived but whose next run was lost', async () => {
    const { queue, schedule } = instance([PURGE], 3_600_000);
    await schedule.start();
    const [entry] = await queue.getRepeatableJobs();
    for (const job of await queue.getDelayed()) await job.remove();
    // The entry says its next run was due long ago (nothing ran it; Bull moves the entry when it runs).
    await queue.client.zadd(`${prefix}:jobs:repeat`, Date.now() - 700_000, entry.key);
    expect(await schedule.restoreMissing()).toEqual(['the-purge']);
    expect(await delayedIds(queue)).toHaveLength(1);
    expect((await queue.getRepeatableJobs())[0].next).toBeGreaterThan(Date.now());
    expect(await schedule.restoreMissing()).toEqual([]);
  });

  it('stops checking when stopped', async () => {
    const { queue, schedule } = instance([SWEEP]);
    await schedule.start();
    await schedule.stop();
    await forgetRedisKeys(redisUrl, prefix);
    await sleep(350);
    expect(await ours(queue)).toEqual([]);
  });

  it('fails the start when Redis cannot be reached (the instance does not run without its schedule)', async () => {
    const dead = new Bull('jobs', 'redis://127.0.0.1:1', {
      prefix,
      redis: { maxRetriesPerRequest: 1, retryStrategy: () => null },
    });
    dead.on('error', () => undefined);
    queues.push(dead);
    const schedule = new RepeatableSchedule(dead, [SWEEP], 100);
    schedules.push(schedule);
    await expect(schedule.start()).rejects.toThrow();
  });
});
