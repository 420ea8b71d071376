import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { RosterModule } from '../../roster/roster.module';
import { TenancyModule } from '../../tenancy/tenancy.module';
import { AttendanceAlertsController } from '../alerts/attendance-alerts.controller';
import { ATTENDANCE_MAIL_QUEUE, AttendanceAlertsService } from '../alerts/attendance-alerts.service';
import { AttendanceMailRepository } from '../alerts/infra/attendance-mail.repository';
import { Mailer } from '../alerts/mailer';
import { ATTENDANCE_REPORT_SOURCE, type AttendanceReportSource } from './attendance-report-source';
import { AttendanceMailProcessor, AttendanceReportScheduler } from './attendance-mail.processor';
import { AttendanceReportsController } from './attendance-reports.controller';
import { AttendanceReportsService } from './attendance-reports.service';

/**
 * Attendance by mail and as files: notes below the thresholds (to students and guardians), guardian
 * contacts, CSV and PDF reports, scheduled reports. Its numbers come from `source`, a provider of the
 * module `from` (the attendance module's report service).
 */
@Module({})
export class AttendanceMailModule {
  static forRoot(
    from: NonNullable<ModuleMetadata['imports']>[number],
    source: Type<AttendanceReportSource>,
  ): DynamicModule {
    return {
      module: AttendanceMailModule,
      imports: [BullModule.registerQueue({ name: ATTENDANCE_MAIL_QUEUE }), TenancyModule, RosterModule, from],
      controllers: [AttendanceAlertsController, AttendanceReportsController],
      providers: [
        { provide: ATTENDANCE_REPORT_SOURCE, useExisting: source },
        Mailer,
        AttendanceMailRepository,
        AttendanceAlertsService,
        AttendanceReportsService,
        AttendanceMailProcessor,
        AttendanceReportScheduler,
      ],
    };
  }
}
