import { InjectQueue, OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { GRADES_QUEUE, GradesService } from './grades.service';

@Processor(GRADES_QUEUE)
export class GradesProcessor {
  private readonly logger = new Logger('GradesProcessor');

  constructor(private readonly grades: GradesService) {}

  @Process('post')
  post(job: Job<{ outboxId: string }>) {
    return this.grades.post(job.data.outboxId);
  }

  @Process('sweep')
  sweep() {
    return this.grades.sweep();
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
export class GradesScheduler implements OnModuleInit {
  constructor(@InjectQueue(GRADES_QUEUE) private readonly queue: Queue) {}

  async onModuleInit(): Promise<void> {
    await this.queue.add('sweep', {}, { repeat: { every: 60_000 }, jobId: 'grades-sweep', removeOnComplete: 20, removeOnFail: 50 });
  }
}
