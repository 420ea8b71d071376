import { Module } from '@nestjs/common';
import { BroadcastGateway } from './broadcast.gateway';
import { Broadcaster } from './broadcast/broadcaster.service';
import { HlsHandoff } from './hls-handoff.service';
import { LoadMonitor } from './load-monitor.service';
import { MediaCluster } from './media-cluster.service';
import { MediaController } from './media.controller';
import { MediaHostsController } from './media-hosts.controller';
import { MediaHosts } from './media-hosts.service';
import { MediaGateway } from './media.gateway';
import { MediaMetrics } from './media.metrics';
import { MediaService } from './media.service';

@Module({
  controllers: [MediaController, MediaHostsController],
  providers: [
    MediaService,
    MediaCluster,
    MediaGateway,
    MediaMetrics,
    MediaHosts,
    LoadMonitor,
    HlsHandoff,
    BroadcastGateway,
    Broadcaster,
  ],
  exports: [MediaService, MediaCluster, HlsHandoff, LoadMonitor],
})
export class MediaModule {}
