import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../platform/metrics/metrics';
import { MediaMetrics } from './media.metrics';
import type { MediaService } from './media.service';

/**
 * The media gauges read the workers once per scrape (three gauges, one reading), and never serve a scrape
 * the reading of the one before: a reading kept for a second once told a scrape made just after a class
 * started that no class and no consumer were here. The media service is a stand-in whose load changes
 * between scrapes (the real one is read in platform/metrics/metrics-families.spec.ts).
 */
describe('media metrics', () => {
  it('reads the workers once per scrape, afresh at each scrape', async () => {
    let reads = 0;
    let rooms = 0;
    const media = Object.assign(new EventEmitter(), {
      load: async () => {
        reads++;
        return { rooms, peers: rooms * 2, workers: [{ index: 0, consumers: rooms * 3, cpuSeconds: reads / 10 }] };
      },
    });
    const metrics = new Metrics();
    new MediaMetrics(metrics, media as unknown as MediaService).onModuleInit();
    const value = (text: string, name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);

    const first = await metrics.registry.metrics();
    expect(value(first, 'lectern_media_rooms')).toBe(0);
    expect(reads).toBe(1);
    rooms = 1; // a class starts right after the scrape
    const second = await metrics.registry.metrics();
    expect(value(second, 'lectern_media_rooms')).toBe(1);
    expect(value(second, 'lectern_media_worker_consumers')).toBe(3);
    expect(reads).toBe(2);
  });
});
