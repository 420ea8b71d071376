import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type Redis from 'ioredis';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import { MediaCluster } from '../media/media-cluster.service';
import { MediaService } from '../media/media.service';
import type { MediaRoom } from '../media/sfu/media-room';
import { createRedis, REDIS } from '../platform/redis';
import { writeLauncher } from './capture/ffmpeg-process';
import type { CaptureSettings } from './capture/producer-capture';
import { RoomRecorder } from './capture/room-recorder';
import { DEFAULT_RESTART } from './domain/capture-policy';
import { parseSegmentList, runEndedAt } from './domain/segment-list';
import { CaptureRepository } from './infra/capture.repository';
import { controlChannel, RecordingService, type RecordingControl } from './recording.service';

const aliveKey = (instance: string) => `recording:alive:${instance}`;

/**
 * The live capture on this instance: for each class whose media this instance hosts (MediaService's
 * `roomOpened`) and whose switches say it records, a RoomRecorder follows the class's producers into
 * FFmpeg. It hears pauses and switch changes from any instance (Redis pub/sub), beats an "alive" key,
 * and closes the runs that a dead instance left open (ended at their last finished segment, with a
 * `gap` mark), at start and every few seconds.
 */
@Injectable()
export class RecordingCaptureService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RecordingCapture');
  private readonly recorders = new Map<string, RoomRecorder>();
  /** The classes whose media this instance hosts (rooms opened here, until they close). */
  private readonly hosted = new Map<string, MediaRoom>();
  private settings: CaptureSettings | null = null;
  private sub: Redis | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly media: MediaService,
    private readonly cluster: MediaCluster,
    private readonly repo: CaptureRepository,
    private readonly recording: RecordingService,
  ) {}

  /**
   * How long a dead instance's segment list must have been still before its run is closed: longer than
   * FFmpeg's RTP input waits for a packet (10 s) before it ends by itself and lists its last segment.
   */
  private get quietMs(): number {
    return Math.max(12_000, 3 * this.config.recording.segmentSeconds * 1000);
  }

  get instance(): string {
    return this.cluster.instanceId;
  }

  /** The recorder of a class hosted here (tests, status). */
  recorder(sessionId: string): RoomRecorder | undefined {
    return this.recorders.get(sessionId);
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.recording.capture) return;
    const { dir, ffmpeg, segmentSeconds } = this.config.recording;
    this.settings = {
      dir,
      launcher: await writeLauncher(dir, ffmpeg),
      segmentSeconds,
      instance: this.instance,
      restart: DEFAULT_RESTART,
      runs: this.repo,
      warn: (m) => this.logger.warn(m),
    };
    await this.beat();
    this.media.on('roomOpened', this.roomOpened);
    this.sub = createRedis(this.config.redisUrl);
    this.sub.on('message', (_channel: string, raw: string) => void this.control(raw));
    await this.sub.subscribe(controlChannel(this.config.queuePrefix));
    // Alive at the presence beat; orphans looked for once per presence TTL (an instance silent that long is dead).
    this.timer = setInterval(() => void this.beat(), Math.max(250, this.config.presence.beatMs));
    this.timer.unref();
    this.sweepTimer = setInterval(() => void this.sweep(), Math.max(1000, this.config.presence.ttlMs));
    this.sweepTimer.unref();
    void this.sweep();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.media.off('roomOpened', this.roomOpened);
    this.sub?.disconnect();
    await Promise.all([...this.recorders.values()].map((r) => r.stop('shutdown')));
    this.recorders.clear();
    await this.redis.del(aliveKey(this.instance)).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    await this.redis
      .set(aliveKey(this.instance), String(Date.now()), 'PX', this.config.presence.ttlMs)
      .catch(() => undefined);
  }

  private readonly roomOpened = (sessionId: string, room: MediaRoom): void => {
    this.hosted.set(sessionId, room);
    room.once('closed', () => {
      if (this.hosted.get(sessionId) === room) this.hosted.delete(sessionId);
    });
    void this.follow(sessionId, room).catch((e: Error) =>
      this.logger.warn(`recording of class ${sessionId} did not start: ${e.message}`),
    );
  };

  /** Starts recording a class hosted here when its switches say so (and it is not recorded here already). */
  private async follow(sessionId: string, room: MediaRoom): Promise<void> {
    const settings = this.settings;
    if (!settings || room.closed || this.recorders.has(sessionId)) return;
    if (!(await this.recording.enabled(sessionId))) return;
    // Writes the class's start mark if nobody has yet.
    await this.recording.state(sessionId);
    const paused = await this.recording.isPaused(sessionId);
    if (room.closed || this.recorders.has(sessionId) || this.hosted.get(sessionId) !== room) return;
    const recorder = new RoomRecorder(
      room,
      settings,
      {
        screen: (sid, kind, at, name, userId) =>
          void this.repo
            .mark(sid, kind, at, name, userId)
            .catch((e: Error) => this.logger.warn(`${kind} mark not written: ${e.message}`)),
      },
      paused,
    );
    this.recorders.set(sessionId, recorder);
    room.once('closed', () => {
      if (this.recorders.get(sessionId) === recorder) this.recorders.delete(sessionId);
    });
    recorder.start();
  }

  private async control(raw: string): Promise<void> {
    let message: RecordingControl;
    try {
      message = JSON.parse(raw) as RecordingControl;
    } catch {
      return;
    }
    if (message.type === 'pause') {
      await this.recorders.get(message.sessionId)?.setPaused(message.paused);
      return;
    }
    // Switches changed: classes switched off stop capturing; classes switched on start.
    for (const [sessionId, recorder] of [...this.recorders]) {
      if (await this.recording.enabled(sessionId).catch(() => true)) continue;
      this.recorders.delete(sessionId);
      await recorder.stop('recording-off');
    }
    for (const [sessionId, room] of [...this.hosted])
      if (!this.recorders.has(sessionId)) await this.follow(sessionId, room).catch(() => undefined);
  }

  /**
   * Runs another instance left open while it is no longer alive (killed, or its host lost): each is
   * ended at its last finished segment, and its class gets a `gap` mark there. One sweep at a time per
   * instance; two instances sweeping together end each run once (endRun keeps the first end).
   */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let closed = 0;
    try {
      const open = await this.repo.openRunsNotOf(this.instance);
      const alive = new Map<string, boolean>();
      /** The dead instances whose runs this sweep closed, per class. */
      const lostIn = new Map<string, Set<string | null>>();
      for (const run of open) {
        const owner = run.instance ?? '';
        if (!alive.has(owner)) alive.set(owner, owner !== '' && (await this.redis.exists(aliveKey(owner))) === 1);
        if (alive.get(owner)) continue;
        let text = '';
        try {
          const list = path.join(this.config.recording.dir, run.playlist);
          // Its FFmpeg may still be closing its last segment (it got SIGTERM when its backend died): wait
          // until the list has been still for a few segments, so the run ends at its true last segment.
          if (Date.now() - (await stat(list)).mtimeMs < this.quietMs) continue;
          text = await readFile(list, 'utf8');
        } catch {
          // The list is on another machine's disk (or there is none yet): the run ends where it began.
        }
        const endedAt = runEndedAt(run.startedAt, parseSegmentList(text));
        if (await this.repo.endRun(run.id, endedAt, 'instance-lost')) {
          closed++;
          lostIn.set(run.sessionId, (lostIn.get(run.sessionId) ?? new Set()).add(run.instance));
        }
      }
      // One gap per dead instance and class, at the end of the first run it lost there, marked once all of
      // its runs there are closed: a run whose FFmpeg was still finishing its list is closed by a later
      // sweep (or by another instance's), and must not make a second gap a moment later.
      for (const [sessionId, instances] of lostIn)
        for (const instance of instances) {
          const { open, firstEnd } = await this.repo.lostRunsOf(sessionId, instance);
          if (open === 0 && firstEnd)
            await this.repo.mark(
              sessionId,
              'gap',
              firstEnd,
              "Recording interrupted: the server hosting the class's media stopped",
              null,
            );
        }
    } catch (e) {
      this.logger.warn(`closing runs of dead instances failed: ${(e as Error).message}`);
    } finally {
      this.sweeping = false;
    }
    return closed;
  }
}
