import { Module } from '@nestjs/common';
import { ActivityRepository } from './infra/activity.repository';
import { CourseDirectoryRepository } from './infra/course-directory.repository';
import { CourseRepository } from './infra/course.repository';
import { PlatformRepository } from './infra/platform.repository';
import { TenancyTransaction } from './infra/tenancy-transaction';
import { TenancyService } from './tenancy.service';

@Module({
  providers: [
    TenancyService,
    PlatformRepository,
    CourseRepository,
    ActivityRepository,
    TenancyTransaction,
    CourseDirectoryRepository,
  ],
  exports: [TenancyService],
})
export class TenancyModule {}
