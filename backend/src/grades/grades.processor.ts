import { InjectQueue, OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import { RepeatableJobSpec, RepeatableSchedule } from '../platform/repeatable-schedule';
import { GRADES_QUEUE, GradesService } from './grades.service';

/**
 * Every minute, pending grades without a job are queued again. Restored at once when Redis lost its data:
 * the grade jobs went with it, and the outbox in Postgres says which grades are still to be sent.
 */
export const GRADES_SWEEP: RepeatableJobSpec = {
  name: 'sweep',
  jobId: 'grades-sweep',
  every: 60_000,
  runWhenRestored: true,
};

@Processor(GRADES_QUEUE)
export class GradesProcessor {
  private readonly logger = new Logger('GradesProcessor');

  constructor(private readonly grades: GradesService) {}

  @Process('post')
  post(job: Job<{ outboxId: string }>) {
    return this.grades.post(job.data.outboxId);
  }

  @Process('sweep')
  sweep(job: Job<{ restored?: boolean }>) {
    // After a loss of Redis' data every pending grade lost its job, however young: queue them all now.
    return this.grades.sweep(job.data.restored ? 0 : undefined);
  }

  /** After the last attempt the grade is marked failed (kept, with its reason), never dropped. */
  @OnQueueFailed()
  async failed(job: Job<{ outboxId?: string }>) {
    try {
      if (job.name === 'post' && job.data.outboxId && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        await this.grades.markFailed(job.data.outboxId);
      }
    } catch (e) {
      // Never let a listener's rejection escape (it would be unhandled); the sweeper finds the row later.
      this.logger.error(`could not mark grade ${job.data.outboxId} failed: ${(e as Error).message}`);
    }
  }
}

@Injectable()
export class GradesScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly schedule: RepeatableSchedule;

  constructor(@InjectQueue(GRADES_QUEUE) queue: Queue, @Inject(APP_CONFIG) config: AppConfig) {
    this.schedule = new RepeatableSchedule(queue, [GRADES_SWEEP], config.scheduleCheckMs);
  }

  onModuleInit(): Promise<void> {
    return this.schedule.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.schedule.stop();
  }
}
