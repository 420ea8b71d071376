import { Module } from '@nestjs/common';
import { MediaCluster } from './media-cluster.service';
import { MediaController } from './media.controller';
import { MediaHostsController } from './media-hosts.controller';
import { MediaHosts } from './media-hosts.service';
import { MediaGateway } from './media.gateway';
import { MediaMetrics } from './media.metrics';
import { MediaService } from './media.service';

@Module({
  controllers: [MediaController, MediaHostsController],
  providers: [MediaService, MediaCluster, MediaGateway, MediaMetrics, MediaHosts],
  exports: [MediaService, MediaCluster],
})
export class MediaModule {}
