import { Module } from '@nestjs/common';
import { MediaCluster } from './media-cluster.service';
import { MediaController } from './media.controller';
import { MediaGateway } from './media.gateway';
import { MediaMetrics } from './media.metrics';
import { MediaService } from './media.service';

@Module({
  controllers: [MediaController],
  providers: [MediaService, MediaCluster, MediaGateway, MediaMetrics],
  exports: [MediaService, MediaCluster],
})
export class MediaModule {}
