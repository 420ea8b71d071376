import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MediaModule } from '../media/media.module';
import { WhiteboardModule } from '../whiteboard/whiteboard.module';
import { retryDelayMs } from './domain/job-steps';
import { CaptureRepository } from './infra/capture.repository';
import { RecordingsRepository } from './infra/recordings.repository';
import { PLAYBACK_LINKS, PlaybackLinks } from './playback/playback-links';
import { RecordingFilesController, RecordingsController } from './playback/recordings.controller';
import { RecordingsPlaybackService } from './playback/recordings-playback.service';
import { RecordingsProgressGateway } from './playback/recordings-progress.gateway';
import { RecordingCaptureService } from './recording-capture.service';
import { RecordingJobProcessor, RecordingRetentionScheduler } from './recording-job.processor';
import { RECORDING_QUEUE, RecordingJobService } from './recording-job.service';
import { RecordingAdminController, RecordingController } from './recording.controller';
import { RecordingGateway } from './recording.gateway';
import { RecordingService } from './recording.service';
import { LocalDiskStorage } from './storage/local-disk-storage';
import { RECORDING_STORAGE, RecordingStorage } from './storage/recording-storage';
import { S3Storage } from './storage/s3-storage';

/**
 * Recording. The live side: capture of a class's producers on its media host into segments
 * (RecordingCaptureService), the recorded/paused state every member sees and instructors pause
 * (RecordingService, RecordingGateway), and the platform and classroom switches (controllers).
 * After class: `session.ended` queues the composite job (RecordingJobService, run by RecordingJobProcessor
 * on the `recording` queue), finished recordings go to storage (local disk or S3), the retention sweep
 * deletes old ones, and the Recordings page plays them (RecordingsController, RecordingFilesController
 * for the signed links).
 */
@Module({
  imports: [
    MediaModule,
    WhiteboardModule,
    BullModule.registerQueueAsync({
      name: RECORDING_QUEUE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        settings: {
          // A worker killed mid-job loses its lock within 15 s and another instance resumes the job.
          lockDuration: 15_000,
          stalledInterval: 5_000,
          maxStalledCount: 3,
          backoffStrategies: {
            recording: (attemptsMade: number) => retryDelayMs(attemptsMade, config.recordings.retryBaseMs),
          },
        },
      }),
    }),
  ],
  controllers: [RecordingController, RecordingAdminController, RecordingsController, RecordingFilesController],
  providers: [
    CaptureRepository,
    RecordingService,
    RecordingCaptureService,
    RecordingGateway,
    RecordingsRepository,
    {
      provide: RECORDING_STORAGE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): RecordingStorage => {
        const s = config.recordings.storage;
        return s.kind === 's3' ? new S3Storage(s) : new LocalDiskStorage(s.dir, config.publicUrl, config.sessionSecret);
      },
    },
    {
      provide: PLAYBACK_LINKS,
      inject: [APP_CONFIG, RECORDING_STORAGE],
      useFactory: (config: AppConfig, storage: RecordingStorage) =>
        new PlaybackLinks(config.sessionSecret, config.publicUrl, storage, config.recordings.urlTtlSeconds),
    },
    RecordingJobService,
    RecordingJobProcessor,
    RecordingRetentionScheduler,
    RecordingsPlaybackService,
    RecordingsProgressGateway,
  ],
  exports: [RecordingService, CaptureRepository],
})
export class RecordingModule {}
