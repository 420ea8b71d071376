import { Module } from '@nestjs/common';
import { CourseDirectoryRepository } from './infra/course-directory.repository';
import { TenancyService } from './tenancy.service';

@Module({ providers: [TenancyService, CourseDirectoryRepository], exports: [TenancyService] })
export class TenancyModule {}
