import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { AttendanceSummaryRepository } from '../attendance/infra/attendance-summary.repository';
import { ClassroomModule } from '../classroom/classroom.module';
import { LtiModule } from '../lti/lti.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { ObserverLinkRepository } from './infra/observer-link.repository';
import { RosterRepository } from './infra/roster.repository';
import { RosterViewService } from './roster-view.service';
import { RosterController } from './roster.controller';
import { RosterProcessor, RosterScheduler } from './roster.processor';
import { ROSTER_QUEUE, RosterService } from './roster.service';

@Module({
  imports: [LtiModule, TenancyModule, ClassroomModule, BullModule.registerQueue({ name: ROSTER_QUEUE })],
  controllers: [RosterController],
  providers: [
    AttendanceSummaryRepository,
    RosterRepository,
    ObserverLinkRepository,
    RosterService,
    RosterViewService,
    RosterProcessor,
    RosterScheduler,
  ],
  exports: [RosterService],
})
export class RosterModule {}
