import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import { LTIJS_COLLECTIONS } from '../../../migrations/1764000000100-create-ltijs-store';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import { RepeatableJobSpec, RepeatableSchedule } from '../platform/repeatable-schedule';
import { LOGIN_TTL_SECONDS } from './domain/launch-checks';
import { KeyRotationService } from './key-rotation.service';
import { LoginRequestRepository } from './infra/login-request.repository';
import { LtiService } from './lti.service';

export const LTI_MAINTENANCE_QUEUE = 'lti-maintenance';

export const LTI_PURGE: RepeatableJobSpec = { name: 'purge', jobId: 'lti-purge', every: 600_000 };

/** Purges expired ltijs documents (nonces, states, tokens) and old login requests, every 10 minutes. */
@Processor(LTI_MAINTENANCE_QUEUE)
export class LtiMaintenanceProcessor {
  private readonly logger = new Logger('LtiMaintenance');

  constructor(
    private readonly lti: LtiService,
    private readonly logins: LoginRequestRepository,
    private readonly keys: KeyRotationService,
  ) {}

  @Process('purge')
  async purge(): Promise<{ ltijs: number; logins: number; retiredKeys: number }> {
    const ltijs = await this.lti.store.purgeExpired(LTIJS_COLLECTIONS);
    const logins = await this.logins.purge(LOGIN_TTL_SECONDS, 86400);
    const retiredKeys = await this.keys.purgeRetired();
    if (ltijs + logins + retiredKeys > 0)
      this.logger.log(`purged ${ltijs} expired ltijs documents, ${logins} login requests, ${retiredKeys} retired keys`);
    return { ltijs, logins, retiredKeys };
  }
}

@Injectable()
export class LtiMaintenanceScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly schedule: RepeatableSchedule;

  constructor(@InjectQueue(LTI_MAINTENANCE_QUEUE) queue: Queue, @Inject(APP_CONFIG) config: AppConfig) {
    // A repeatable job with a fixed id: however many instances start, it is scheduled once.
    this.schedule = new RepeatableSchedule(queue, [LTI_PURGE], config.scheduleCheckMs);
  }

  onModuleInit(): Promise<void> {
    return this.schedule.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.schedule.stop();
  }
}
