import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { availableParallelism } from 'node:os';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { REDIS } from '../platform/redis';
import { hostCpuShare, LoadSample } from './domain/hls-handoff';
import { MediaService } from './media.service';

/** Where a media host's CPU share comes from: one reading per call, the share used since the previous call. */
export interface LoadSource {
  read(): Promise<number>;
}

/** The real source: the mediasoup workers' getResourceUsage and this process's own CPU time (domain/hls-handoff.ts hostCpuShare). */
export class WorkerCpuSource implements LoadSource {
  private previous: { workerSeconds: number; processSeconds: number; at: number } | null = null;

  constructor(private readonly media: MediaService) {}

  async read(): Promise<number> {
    const { workers } = await this.media.load();
    const usage = process.cpuUsage();
    const current = {
      workerSeconds: workers.reduce((a, w) => a + w.cpuSeconds, 0),
      processSeconds: (usage.user + usage.system) / 1e6,
      at: Date.now(),
    };
    const previous = this.previous;
    this.previous = current;
    // A worker replaced since the last reading restarts its counter: that reading says nothing.
    if (!previous || current.workerSeconds < previous.workerSeconds) return 0;
    return hostCpuShare(previous, current, workers.length, availableParallelism());
  }
}

/** Samples kept per host: enough for the longer of the two windows, and a few more. */
const keptSamples = (c: AppConfig) =>
  Math.ceil(Math.max(c.hls.thresholds.windowMs, c.hls.thresholds.calmMs) / c.hls.thresholds.sampleMs) + 4;

/**
 * A media host's load monitor: every MEDIA_LOAD_SAMPLE_MS it reads its CPU share (workers and process)
 * and pushes it onto a short Redis list of its own, which the hand-off policy reads for whichever class
 * this host serves (any instance may decide a joiner's path). The list expires when the host stops.
 */
@Injectable()
export class LoadMonitor implements OnModuleDestroy {
  private readonly logger = new Logger('LoadMonitor');
  private timer: NodeJS.Timeout | null = null;
  private source: LoadSource;
  private instanceId = '';
  private readonly listeners = new Set<(sample: LoadSample) => void>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    media: MediaService,
  ) {
    this.source = new WorkerCpuSource(media);
  }

  static key(queuePrefix: string, instanceId: string): string {
    return `${queuePrefix}:media:load:${instanceId}`;
  }

  /** Starts sampling (a media host only; called by the media cluster with its instance id). */
  start(instanceId: string): void {
    this.instanceId = instanceId;
    if (this.config.media.role === 'off' || this.timer) return;
    this.timer = setInterval(() => void this.sample(), this.config.hls.thresholds.sampleMs);
    this.timer.unref();
  }

  /**
   * Replaces where readings come from. Tests inject readings through this (a CPU share held over the
   * threshold without burning a CPU for half a minute); the real source is WorkerCpuSource.
   */
  useSource(source: LoadSource): void {
    this.source = source;
  }

  /** Called after each published sample (the broadcaster checks its classes at the same beat). */
  onSample(listener: (sample: LoadSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.instanceId)
      await this.redis.del(LoadMonitor.key(this.config.queuePrefix, this.instanceId)).catch(() => undefined);
  }

  /** Reads and publishes one sample. */
  async sample(): Promise<LoadSample | null> {
    try {
      const sample: LoadSample = { at: Date.now(), cpu: await this.source.read() };
      const key = LoadMonitor.key(this.config.queuePrefix, this.instanceId);
      const t = this.config.hls.thresholds;
      await this.redis
        .multi()
        .lpush(key, JSON.stringify(sample))
        .ltrim(key, 0, keptSamples(this.config) - 1)
        .pexpire(key, Math.max(t.windowMs, t.calmMs) * 2)
        .exec();
      for (const l of this.listeners) l(sample);
      return sample;
    } catch (e) {
      this.logger.warn(`load sample not published: ${(e as Error).message}`);
      return null;
    }
  }

  /** A host's samples, newest first (none when it never published or stopped long ago). */
  async samplesOf(instanceId: string): Promise<LoadSample[]> {
    const raw = await this.redis.lrange(LoadMonitor.key(this.config.queuePrefix, instanceId), 0, -1);
    const out: LoadSample[] = [];
    for (const r of raw) {
      try {
        const s = JSON.parse(r) as LoadSample;
        if (typeof s.at === 'number' && typeof s.cpu === 'number') out.push({ at: s.at, cpu: s.cpu });
      } catch {
        // a malformed entry is skipped; the next samples replace it
      }
    }
    return out;
  }
}
