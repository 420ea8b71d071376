import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { RosterModule } from '../../roster/roster.module';
import { TenancyModule } from '../../tenancy/tenancy.module';
import { AttendanceAlertsController } from '../alerts/attendance-alerts.controller';
import { ATTENDANCE_MAIL_QUEUE, AttendanceAlertsService } from '../alerts/attendance-alerts.service';
import { AttendanceMailRepository } from '../alerts/infra/attendance-mail.repository';
import { Mailer } from '../alerts/mailer';
import { ATTENDANCE_REPORT_SOURCE } from './attendance-report-source';
import { AttendanceServiceSource } from './attendance-service-source';
import { AttendanceMailProcessor, AttendanceReportScheduler } from './attendance-mail.processor';
import { AttendanceReportsController } from './attendance-reports.controller';
import { AttendanceReportsService } from './attendance-reports.service';

/**
 * Attendance by mail and as files: notes below the thresholds (to students and guardians), guardian
 * contacts, CSV and PDF reports, scheduled reports. Its numbers come from the attendance module's reports
 * (`attendance`: the very AttendanceModule.forRoot(...) object the app imports).
 */
@Module({})
export class AttendanceMailModule {
  static forRoot(attendance: DynamicModule): DynamicModule {
    return {
      module: AttendanceMailModule,
      imports: [BullModule.registerQueue({ name: ATTENDANCE_MAIL_QUEUE }), TenancyModule, RosterModule, attendance],
      controllers: [AttendanceAlertsController, AttendanceReportsController],
      providers: [
        AttendanceServiceSource,
        { provide: ATTENDANCE_REPORT_SOURCE, useExisting: AttendanceServiceSource },
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
