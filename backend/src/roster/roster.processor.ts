import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { Subscription } from 'rxjs';
import { DomainEvents } from '../platform/domain-events';
import { PlatformServiceError } from '../lti/infra/platform-service-error';
import { ROSTER_QUEUE, RosterService } from './roster.service';

/** Roster sync jobs: one course per job (retried with backoff), and a periodic job that queues every course. */
@Processor(ROSTER_QUEUE)
export class RosterProcessor {
  constructor(private readonly roster: RosterService) {}

  @Process('sync')
  async sync(job: Job<{ courseId: string }>) {
    try {
      return await this.roster.sync(job.data.courseId);
    } catch (e) {
      // Trying again cannot help (refused, not offered, paging loop): fail now instead of five times.
      if (e instanceof PlatformServiceError && !e.retryable) await job.discard();
      throw e;
    }
  }

  @Process('sync-all')
  syncAll() {
    return this.roster.requestAll();
  }
}

@Injectable()
export class RosterScheduler implements OnModuleInit, OnModuleDestroy {
  private subscription?: Subscription;

  constructor(
    @InjectQueue(ROSTER_QUEUE) private readonly queue: Queue,
    private readonly roster: RosterService,
    private readonly events: DomainEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.queue.add('sync-all', {}, { repeat: { every: 6 * 3600_000 }, jobId: 'roster-sync-all', removeOnComplete: 20, removeOnFail: 50 });
    this.subscription = this.events.on('launch.completed').subscribe(({ courseId }) => {
      void this.roster.requestSync(courseId, 'launch').catch(() => undefined);
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
