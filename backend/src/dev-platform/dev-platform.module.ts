import { Module } from '@nestjs/common';
import { LtiModule } from '../lti/lti.module';
import { DevClients } from './dev-clients';
import { DevLmsServices } from './dev-lms-services';
import { DevLmsServicesController } from './dev-lms-services.controller';
import { DevPlatformController } from './dev-platform.controller';
import { DevPlatformService } from './dev-platform.service';
import { DevLmsRepository } from './infra/dev-lms.repository';

@Module({
  imports: [LtiModule],
  controllers: [DevPlatformController, DevLmsServicesController],
  providers: [DevPlatformService, DevLmsServices, DevClients, DevLmsRepository],
  exports: [DevPlatformService, DevLmsServices, DevClients],
})
export class DevPlatformModule {}
