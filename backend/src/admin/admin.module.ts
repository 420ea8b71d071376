import { Module } from '@nestjs/common';
import { LtiModule } from '../lti/lti.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AdminController } from './admin.controller';
import { AdminGuard } from './admin.guard';
import { AdminService } from './admin.service';
import { PlatformHealthRepository } from './infra/platform-health.repository';

@Module({
  imports: [LtiModule, TenancyModule],
  controllers: [AdminController],
  providers: [AdminGuard, AdminService, PlatformHealthRepository],
})
export class AdminModule {}
