import { InjectQueue, OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RepeatableJobSpec, RepeatableSchedule } from '../platform/repeatable-schedule';
import { RecordingsRepository } from './infra/recordings.repository';
import { CompositeJob, RECORDING_QUEUE, RecordingJobService } from './recording-job.service';
import { RECORDING_STORAGE, RecordingStorage } from './storage/recording-storage';

/** The recording queue's work: one composite job per class, and the retention sweep. */
@Processor(RECORDING_QUEUE)
export class RecordingJobProcessor {
  private readonly logger = new Logger('RecordingJobProcessor');

  constructor(
    private readonly jobs: RecordingJobService,
    private readonly recordings: RecordingsRepository,
    @Inject(RECORDING_STORAGE) private readonly storage: RecordingStorage,
  ) {}

  // One at a time per instance: FFmpeg takes the cores it is given.
  @Process({ name: 'composite', concurrency: 1 })
  composite(job: Job<CompositeJob>) {
    return this.jobs.process(job);
  }

  /**
   * Deletes recordings past their platform's retention (files first, then the row), and queues again the
   * recordings whose job Redis lost (a row still queued or processing, untouched for 10 minutes: adding a
   * job whose id Bull still has is a no-op).
   */
  @Process('retention')
  async retention(): Promise<number> {
    for (const r of await this.recordings.stale(10 * 60_000)) await this.jobs.enqueue(r.sessionId, r.courseId);
    let deleted = 0;
    for (const r of await this.recordings.pastRetention()) {
      if (r.storagePrefix) await this.storage.deletePrefix(r.storagePrefix);
      await this.recordings.delete(r.id);
      deleted++;
    }
    if (deleted) this.logger.log(`deleted ${deleted} recording(s) past their retention`);
    return deleted;
  }

  /** A try failed: shown to the instructor (retrying, or failed with its reason and a Retry once none is left). */
  @OnQueueFailed()
  async failed(job: Job<CompositeJob>, error: Error): Promise<void> {
    if (job.name !== 'composite') return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn(`recording of ${job.data.sessionId} failed (try ${job.attemptsMade}): ${error.message}`);
    const row = await this.recordings.bySession(job.data.sessionId);
    if (!row) return;
    await this.recordings.failed(row.id, error.message, final);
    this.jobs.announce(row.id);
  }
}

const RETENTION: (every: number) => RepeatableJobSpec = (every) => ({
  name: 'retention',
  jobId: 'recording-retention',
  every,
});

/** Keeps the retention sweep scheduled (added back when Redis loses it). */
@Injectable()
export class RecordingRetentionScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly schedule: RepeatableSchedule;

  constructor(@InjectQueue(RECORDING_QUEUE) queue: Queue, @Inject(APP_CONFIG) config: AppConfig) {
    this.schedule = new RepeatableSchedule(
      queue,
      [RETENTION(config.recordings.retentionCheckMs)],
      config.scheduleCheckMs,
    );
  }

  onModuleInit(): Promise<void> {
    return this.schedule.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.schedule.stop();
  }
}
