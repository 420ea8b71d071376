import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { CaptureRepository } from './infra/capture.repository';
import { RecordingCaptureService } from './recording-capture.service';
import { RecordingAdminController, RecordingController } from './recording.controller';
import { RecordingGateway } from './recording.gateway';
import { RecordingService } from './recording.service';

/**
 * Recording. The live side (this module today): capture of a class's producers on its media host into
 * segments (RecordingCaptureService), the recorded/paused state every member sees and instructors pause
 * (RecordingService, RecordingGateway), and the platform and classroom switches (controllers).
 */
@Module({
  imports: [MediaModule],
  controllers: [RecordingController, RecordingAdminController],
  providers: [CaptureRepository, RecordingService, RecordingCaptureService, RecordingGateway],
  exports: [RecordingService, CaptureRepository],
})
export class RecordingModule {}
