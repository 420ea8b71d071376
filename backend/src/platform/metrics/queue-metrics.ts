import { Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import Bull from 'bull';
import { Counter } from 'prom-client';
import Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { REDIS } from '../redis';
import { Metrics } from './metrics';

const STATES = [
  ['waiting', 'llen', 'wait'],
  ['active', 'llen', 'active'],
  ['delayed', 'zcard', 'delayed'],
  ['failed', 'zcard', 'failed'],
] as const;

/**
 * Depth of every Bull queue of the deployment, by state (waiting, active, delayed, failed), read from
 * Redis at each scrape: the queues are found by their id keys (`<QUEUE_PREFIX>:<queue>:id`), so a new
 * domain's queue is counted without being named here. Shared state: every instance reports the same
 * figures (take max, not sum, across instances).
 *
 * Failures are counted as they happen (`lectern_queue_failures_total`): every failed attempt of a job
 * processed on this instance, retried or not, by queue (sum across instances). The failed depth alone
 * would miss them: a job still retrying waits as delayed, and some queues drop failed jobs (roster).
 */
@Injectable()
export class QueueMetrics implements OnModuleInit, OnApplicationBootstrap {
  private readonly failures: Counter<'queue'>;

  constructor(
    private readonly metrics: Metrics,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
  ) {
    this.failures = new Counter({
      name: 'lectern_queue_failures_total',
      help: 'Failed job attempts processed on this instance, retried or not, by queue (sum across instances)',
      labelNames: ['queue'],
      registers: [metrics.registry],
    });
  }

  /** Every Bull queue of the app (each domain's registerQueue provider), watched for failed attempts. */
  onApplicationBootstrap(): void {
    const seen = new Set<Bull.Queue>();
    for (const wrapper of this.discovery.getProviders()) {
      const queue: unknown = wrapper.instance;
      if (!(queue instanceof Bull) || seen.has(queue)) continue;
      seen.add(queue);
      this.failures.inc({ queue: queue.name }, 0);
      queue.on('failed', () => this.failures.inc({ queue: queue.name }));
    }
  }

  onModuleInit(): void {
    this.metrics.gauge(
      'lectern_queue_jobs',
      'Jobs in each Bull queue by state (the same on every instance)',
      ['queue', 'state'],
      () => this.read(),
    );
  }

  async queues(): Promise<string[]> {
    const prefix = `${this.config.queuePrefix}:`;
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*:id`, 'COUNT', 500);
      cursor = next;
      for (const k of keys) {
        const name = k.slice(prefix.length, -':id'.length);
        if (name && !name.includes(':')) names.add(name);
      }
    } while (cursor !== '0');
    return [...names].sort();
  }

  private async read(): Promise<Array<{ labels: Record<string, string>; value: number }>> {
    const queues = await this.queues();
    const pipe = this.redis.pipeline();
    for (const q of queues) for (const [, op, key] of STATES) pipe[op](`${this.config.queuePrefix}:${q}:${key}`);
    const results = (await pipe.exec()) ?? [];
    const out: Array<{ labels: Record<string, string>; value: number }> = [];
    let i = 0;
    for (const queue of queues)
      for (const [state] of STATES) {
        const [err, n] = results[i++] ?? [];
        if (!err) out.push({ labels: { queue, state }, value: Number(n) });
      }
    return out;
  }
}
