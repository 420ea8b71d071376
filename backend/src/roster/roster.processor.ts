import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { Subscription } from 'rxjs';
import type { AppConfig } from '../config/config';
import { DomainEvents } from '../platform/domain-events';
import { APP_CONFIG } from '../config/config';
import { RepeatableJobSpec, RepeatableSchedule } from '../platform/repeatable-schedule';
import { PlatformServiceError } from '../lti/infra/platform-service-error';
import { ROSTER_QUEUE, RosterService } from './roster.service';

/** Every course's roster, every 6 hours (not run at once when restored: launches sync their course meanwhile). */
export const ROSTER_SYNC_ALL: RepeatableJobSpec = { name: 'sync-all', jobId: 'roster-sync-all', every: 6 * 3600_000 };

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
  private readonly schedule: RepeatableSchedule;

  constructor(
    @InjectQueue(ROSTER_QUEUE) queue: Queue,
    private readonly roster: RosterService,
    private readonly events: DomainEvents,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.schedule = new RepeatableSchedule(queue, [ROSTER_SYNC_ALL], config.scheduleCheckMs);
  }

  async onModuleInit(): Promise<void> {
    await this.schedule.start();
    this.subscription = this.events.on('launch.completed').subscribe(({ courseId }) => {
      void this.roster.requestSync(courseId, 'launch').catch(() => undefined);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.schedule.stop();
  }
}
