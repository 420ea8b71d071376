import { Logger } from '@nestjs/common';
import type { Queue } from 'bull';

/** One repeatable Bull job a module keeps scheduled, e.g. the grade sweep every minute. */
export interface RepeatableJobSpec {
  /** The job name its processor handles (`@Process(name)`). */
  name: string;
  /** A fixed id, the same on every instance: adding the job again schedules it once, not twice. */
  jobId: string;
  /** Milliseconds between runs. */
  every: number;
  /**
   * Also run it once at once when the schedule had to be restored: runs may have been lost with Redis'
   * data (the grade sweep, which puts pending grades back from Postgres). The job gets `{ restored: true }`.
   */
  runWhenRestored?: boolean;
}

/** What Bull's `getRepeatableJobs()` says of one repeatable job (only the fields read here). */
export interface RepeatableEntry {
  name: string;
  id?: string | null;
  every: number | string | null;
  next: number;
}

/** A schedule whose next run is this far behind is taken as lost (its entry kept, its delayed job gone). */
export const staleAfterMs = (spec: RepeatableJobSpec) => Math.max(spec.every, 60_000);

/**
 * The specs that must be added again: no repeatable entry for them (Redis lost its data: FLUSHALL, a
 * restart without persistence, a failover to a replica that had not caught up), or an entry whose next run
 * is long past (Bull writes the entry and its next delayed job in two steps; a partial loss keeps only one).
 */
export function schedulesToRestore(
  entries: RepeatableEntry[],
  specs: RepeatableJobSpec[],
  now: number,
): RepeatableJobSpec[] {
  return specs.filter((spec) => {
    const entry = entries.find((e) => e.name === spec.name && e.id === spec.jobId && Number(e.every) === spec.every);
    return !entry || entry.next < now - staleAfterMs(spec);
  });
}

/**
 * Keeps a queue's repeatable jobs scheduled. Bull keeps a schedule only in Redis, so a job added once at
 * start is gone for good when Redis loses its data. Every instance adds its jobs at start and then checks
 * every `checkMs` that they still exist, adding back the missing ones. Adding a repeatable job Bull already
 * has is a no-op (same repeat key, same id for the next run), so any number of instances may do it at once.
 */
export class RepeatableSchedule {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private checking?: Promise<unknown>;
  private failing = false;

  constructor(
    private readonly queue: Queue,
    private readonly specs: RepeatableJobSpec[],
    private readonly checkMs: number,
  ) {
    this.logger = new Logger(`RepeatableSchedule ${queue.name}`);
  }

  /** Adds every job (a failure here fails the start: no Redis, no instance) and starts checking. */
  async start(): Promise<void> {
    for (const spec of this.specs) await this.add(spec);
    this.timer = setInterval(() => {
      if (this.checking) return; // a slow Redis: one check at a time
      this.checking = this.restoreMissing()
        .then(() => {
          if (this.failing) this.logger.log('checking the schedule again');
          this.failing = false;
        })
        .catch((e: Error) => {
          // Redis away: Bull reconnects by itself; the next check adds back whatever it lost meanwhile.
          if (!this.failing) this.logger.warn(`could not check the schedule: ${e.message}`);
          this.failing = true;
        })
        .finally(() => (this.checking = undefined));
    }, this.checkMs);
    this.timer.unref();
  }

  /** Adds back the jobs Redis no longer has; returns their ids. */
  async restoreMissing(): Promise<string[]> {
    const missing = schedulesToRestore(await this.queue.getRepeatableJobs(), this.specs, Date.now());
    for (const spec of missing) {
      await this.add(spec);
      if (spec.runWhenRestored) {
        // A fixed id: instances restoring together queue one run; removed when done, so the next loss queues another.
        await this.queue.add(
          spec.name,
          { restored: true },
          { jobId: `${spec.jobId}:restored`, removeOnComplete: true, removeOnFail: true },
        );
      }
      this.logger.warn(`restored the repeatable job ${spec.jobId} (Redis had lost it)`);
    }
    return missing.map((s) => s.jobId);
  }

  /** Stops checking; waits for a check under way so the queue can close under it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  private async add(spec: RepeatableJobSpec): Promise<void> {
    await this.queue.add(
      spec.name,
      {},
      { repeat: { every: spec.every }, jobId: spec.jobId, removeOnComplete: 20, removeOnFail: 50 },
    );
  }
}
