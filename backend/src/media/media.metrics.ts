import { Injectable, OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Metrics } from '../platform/metrics/metrics';
import { MediaService } from './media.service';

/** This instance's media load, read from its mediasoup workers at each scrape. */
@Injectable()
export class MediaMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly media: MediaService,
  ) {}

  /**
   * One reading of the workers per scrape, shared by the three gauges (each would otherwise ask every
   * worker): kept while it is under way, never for the next scrape (a reading kept for a second once
   * served a scrape the rooms and consumers of before a class started).
   */
  private reading: ReturnType<MediaService['load']> | null = null;
  private load(): ReturnType<MediaService['load']> {
    if (!this.reading) {
      const reading = this.media.load();
      this.reading = reading;
      // prom-client starts every gauge's collect in one pass, so the three share it while it is under way.
      const forget = () => {
        if (this.reading === reading) this.reading = null;
      };
      reading.then(forget, forget);
    }
    return this.reading;
  }

  onModuleInit(): void {
    // Counted as it happens: the people this host sent to another host of their class (regrouping).
    if (!this.metrics.registry.getSingleMetric('lectern_media_peers_moved_total')) {
      const moved = new Counter({
        name: 'lectern_media_peers_moved_total',
        help: 'People this media host told to rejoin on another host of their class (a spread class regrouping)',
        registers: [this.metrics.registry],
      });
      this.media.on('peersMoved', (_sessionId, count) => moved.inc(count));
    }
    this.metrics.gauge('lectern_media_rooms', 'Classes whose media this instance hosts', [], async () => [
      { value: (await this.load()).rooms },
    ]);
    this.metrics.gauge(
      'lectern_media_worker_consumers',
      'Consumers placed on each mediasoup worker',
      ['worker'],
      async () => (await this.load()).workers.map((w) => ({ labels: { worker: String(w.index) }, value: w.consumers })),
    );
    this.metrics.gauge(
      'lectern_media_worker_cpu_seconds_total',
      'CPU time (user + system) each mediasoup worker has used since it started',
      ['worker'],
      async () =>
        (await this.load()).workers.map((w) => ({ labels: { worker: String(w.index) }, value: w.cpuSeconds })),
    );
  }
}
