import { DynamicModule, Module } from '@nestjs/common';
import { ClassroomModule } from '../classroom/classroom.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AttendanceAdminController } from './attendance-admin.controller';
import { AttendanceController } from './attendance.controller';
import { AttendanceGateway } from './attendance.gateway';
import { AttendanceService } from './attendance.service';
import { AttendanceRepository } from './infra/attendance.repository';

/** Attendance (PROTOCOL.md): spans and active time from the room, reports, the attendance grade at class end. */
@Module({})
export class AttendanceModule {
  /** `grades` is the very GradesModule.forRoot(...) object the app imports (Nest tells module instances apart by reference). */
  static forRoot(grades: DynamicModule): DynamicModule {
    return {
      module: AttendanceModule,
      imports: [ClassroomModule, grades, TenancyModule],
      controllers: [AttendanceController, AttendanceAdminController],
      providers: [AttendanceRepository, AttendanceService, AttendanceGateway],
      exports: [AttendanceService],
    };
  }
}
