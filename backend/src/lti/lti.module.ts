import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { LoginRequestRepository } from './infra/login-request.repository';
import { PlatformServiceClient } from './infra/platform-service-client';
import { SigningKeyRepository } from './infra/signing-key.repository';
import { ToolSigner } from './infra/tool-signer';
import { DeepLinkingController } from './deep-linking.controller';
import { DeepLinkingService } from './deep-linking.service';
import { DynamicRegistrationService } from './dynamic-registration.service';
import { KeyRotationService } from './key-rotation.service';
import { LaunchService } from './launch.service';
import { LTI_MAINTENANCE_QUEUE, LtiMaintenanceProcessor, LtiMaintenanceScheduler } from './lti-maintenance.processor';
import { LtiRoutes } from './lti-routes';
import { LtiService } from './lti.service';
import { SessionController } from './session.controller';

@Module({
  imports: [TenancyModule, BullModule.registerQueue({ name: LTI_MAINTENANCE_QUEUE })],
  controllers: [SessionController, DeepLinkingController],
  providers: [
    LtiService,
    LaunchService,
    LtiRoutes,
    LtiMaintenanceProcessor,
    LtiMaintenanceScheduler,
    PlatformServiceClient,
    ToolSigner,
    DeepLinkingService,
    DynamicRegistrationService,
    KeyRotationService,
    LoginRequestRepository,
    SigningKeyRepository,
  ],
  exports: [KeyRotationService, DynamicRegistrationService, LtiService, LtiRoutes, PlatformServiceClient, ToolSigner],
})
export class LtiModule {}
