import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import path from 'node:path';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { createRedis } from '../../platform/redis';
import { writeLauncher } from '../../recording/capture/ffmpeg-process';
import { broadcastWanted } from '../domain/hls-handoff';
import { HlsHandoff } from '../hls-handoff.service';
import { LoadMonitor } from '../load-monitor.service';
import { MediaService } from '../media.service';
import type { MediaRoom } from '../sfu/media-room';
import { RoomBroadcast } from './room-broadcast';
import { stageOf } from './room-stage';

/**
 * The big-lecture broadcasts of the classes this media host serves. At every load sample, and at once when
 * any instance sends a joiner to HLS (a Redis message), each hosted class is checked: a class past
 * HLS_WARM_AT people, in HLS mode, or with HLS viewers gets its broadcast (domain/hls-handoff.ts
 * broadcastWanted), which then runs until the class's media closes here (its end, or a move to another
 * host, whose broadcaster takes over the same folder). The files go to HLS_DIR/<class>/, a folder every
 * instance that serves /hls reads (shared storage across machines; README "Big lectures").
 */
@Injectable()
export class Broadcaster implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Broadcaster');
  private readonly broadcasts = new Map<string, RoomBroadcast>();
  private readonly rooms = new Map<string, MediaRoom>();
  private launcher: Promise<string> | null = null;
  private sub: Redis | null = null;
  private stopSamples: (() => void) | null = null;
  private checking = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly media: MediaService,
    private readonly handoff: HlsHandoff,
    private readonly monitor: LoadMonitor,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.media.role === 'off') return;
    this.media.on('roomOpened', this.opened);
    this.media.on('roomClosed', this.closed);
    this.stopSamples = this.monitor.onSample(() => void this.checkAll());
    this.sub = createRedis(this.config.redisUrl);
    this.sub.on('message', (_channel: string, sessionId: string) => {
      const room = this.rooms.get(sessionId);
      if (room) void this.check(sessionId, room);
    });
    await this.sub.subscribe(this.handoff.wakeChannel);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopSamples?.();
    this.media.off('roomOpened', this.opened);
    this.media.off('roomClosed', this.closed);
    this.sub?.disconnect();
    await Promise.all([...this.broadcasts.values()].map((b) => b.close()));
    this.broadcasts.clear();
  }

  /** The broadcast of a class hosted here (tests, the benchmark). */
  broadcastOf(sessionId: string): RoomBroadcast | undefined {
    return this.broadcasts.get(sessionId);
  }

  private readonly opened = (sessionId: string, room: MediaRoom): void => {
    this.rooms.set(sessionId, room);
    void this.check(sessionId, room);
  };

  private readonly closed = (sessionId: string): void => {
    this.rooms.delete(sessionId);
    const b = this.broadcasts.get(sessionId);
    this.broadcasts.delete(sessionId);
    if (b) {
      this.logger.log(`class ${sessionId}: broadcast stopped`);
      void b.close();
    }
  };

  private async checkAll(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const [sid, room] of [...this.rooms]) await this.check(sid, room);
    } finally {
      this.checking = false;
    }
  }

  private async check(sessionId: string, room: MediaRoom): Promise<void> {
    if (this.broadcasts.has(sessionId) || room.closed) return;
    try {
      const [hlsViewers, mode] = await Promise.all([this.handoff.hlsViewers(sessionId), this.handoff.mode(sessionId)]);
      if (!broadcastWanted(room.peers.size + hlsViewers, hlsViewers, mode, this.config.hls.warmAt)) return;
      if (this.broadcasts.has(sessionId) || room.closed) return;
      this.launcher ??= writeLauncher(this.config.hls.dir, this.config.recording.ffmpeg, {
        // The broadcast is live (viewers wait on it): the host's normal priority, not the recording's lower one.
        niceness: 0,
        name: 'broadcast-ffmpeg',
      });
      const launcher = await this.launcher;
      if (this.broadcasts.has(sessionId) || room.closed) return;
      this.logger.log(`class ${sessionId}: broadcast started (${room.peers.size} on WebRTC, ${hlsViewers} on HLS)`);
      this.broadcasts.set(
        sessionId,
        new RoomBroadcast(stageOf(room), {
          folder: path.join(this.config.hls.dir, sessionId),
          launcher,
          segmentSeconds: this.config.hls.segmentSeconds,
          warn: (m) => this.logger.warn(`class ${sessionId}: ${m}`),
        }),
      );
    } catch (e) {
      this.logger.warn(`class ${sessionId}: broadcast not started: ${(e as Error).message}`);
    }
  }
}
