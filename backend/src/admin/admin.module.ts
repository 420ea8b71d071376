import { Module } from '@nestjs/common';
import { LtiModule } from '../lti/lti.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AdminController } from './admin.controller';
import { AdminGuard } from './admin.guard';
import { AdminService } from './admin.service';

@Module({ imports: [LtiModule, TenancyModule], controllers: [AdminController], providers: [AdminGuard, AdminService] })
export class AdminModule {}
