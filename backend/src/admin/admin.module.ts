import { Module } from '@nestjs/common';
import { LtiModule } from '../lti/lti.module';
import { AdminController } from './admin.controller';
import { AdminGuard } from './admin.guard';

@Module({ imports: [LtiModule], controllers: [AdminController], providers: [AdminGuard] })
export class AdminModule {}
