import { Module } from '@nestjs/common';
import { LtiModule } from '../lti/lti.module';
import { DevPlatformController } from './dev-platform.controller';
import { DevPlatformService } from './dev-platform.service';

@Module({ imports: [LtiModule], controllers: [DevPlatformController], providers: [DevPlatformService], exports: [DevPlatformService] })
export class DevPlatformModule {}
