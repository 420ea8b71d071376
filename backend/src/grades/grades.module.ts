import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { ClassroomModule } from '../classroom/classroom.module';
import { LtiModule } from '../lti/lti.module';
import { RosterModule } from '../roster/roster.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AttendanceGradesService } from './attendance-grades.service';
import { retryDelayMs } from './domain/ags';
import { GradesViewService } from './grades-view.service';
import { GradesController } from './grades.controller';
import { GradesMetrics } from './grades.metrics';
import { GradesProcessor, GradesScheduler } from './grades.processor';
import { GRADES_QUEUE, GradesService } from './grades.service';
import { GradeOutboxRepository } from './infra/grade-outbox.repository';

@Module({})
export class GradesModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GradesModule,
      imports: [
        LtiModule,
        TenancyModule,
        RosterModule,
        ClassroomModule,
        BullModule.registerQueue({
          name: GRADES_QUEUE,
          // Exponential from GRADE_RETRY_BASE_MS, capped at an hour between tries.
          settings: {
            backoffStrategies: {
              capped: (attemptsMade: number) => retryDelayMs(attemptsMade, config.gradeRetryBaseMs),
            },
          },
        }),
      ],
      controllers: [GradesController],
      providers: [
        GradeOutboxRepository,
        GradesService,
        AttendanceGradesService,
        GradesViewService,
        GradesProcessor,
        GradesScheduler,
        GradesMetrics,
      ],
      exports: [GradesService],
    };
  }
}
