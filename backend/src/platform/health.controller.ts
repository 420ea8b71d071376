import { Controller, Get, Inject, Logger, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import Redis from 'ioredis';
import crypto from 'node:crypto';
import type { AppConfig } from '../config/config';
import { DatabaseHealthRepository } from './infra/database-health.repository';
import { APP_CONFIG } from '../config/config';
import { readiness } from './domain/readiness-policy';
import { Readiness } from './readiness';
import { REDIS } from './redis';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);

type Probe = { status: 'up'; latencyMs: number } | { status: 'down'; error: string };

/**
 * For load balancers and orchestrators:
 * - `GET /api/health/live`: the process answers (no dependency is asked: a Redis or database outage
 *   must not get every instance restarted at once).
 * - `GET /api/health/ready`: should this instance get new traffic (platform/domain/readiness-policy.ts:
 *   false while draining or without the database; a Redis outage shorter than READY_REDIS_GRACE_MS is
 *   tolerated).
 * - `GET /api/health`: both dependencies up (as before; what a person checks).
 * Up or down for anyone; latency and the driver's error text (host names, ports, user names) only for
 * the operator (`Authorization: Bearer <ADMIN_TOKEN>`) and in the log.
 */
@Controller('api/health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly database: DatabaseHealthRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly instance: Readiness,
  ) {}

  private isOperator(req: Request): boolean {
    if (!this.config.adminToken) return false;
    const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const expected = Buffer.from(this.config.adminToken);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  private async probe(name: string, fn: () => Promise<unknown>): Promise<Probe> {
    const started = Date.now();
    try {
      await withTimeout(fn(), 2000);
      return { status: 'up', latencyMs: Date.now() - started };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.logger.warn(`${name} is down: ${error}`);
      return { status: 'down', error };
    }
  }

  private async probes(): Promise<{ database: Probe; redis: Probe }> {
    const [database, redis] = await Promise.all([
      this.probe('the database', () => this.database.ping()),
      this.probe('Redis', () => this.redis.ping()),
    ]);
    if (redis.status === 'up') this.instance.redisAnswered();
    return { database, redis };
  }

  @Get()
  async health(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { database, redis } = await this.probes();
    const ok = database.status === 'up' && redis.status === 'up';
    const detail = this.isOperator(req);
    const view = (p: Probe) => (detail ? p : { status: p.status });
    res.status(ok ? 200 : 503).setHeader('Cache-Control', 'no-store');
    res.json({ status: ok ? 'ok' : 'degraded', database: view(database), redis: view(redis) });
  }

  @Get('live')
  live(@Res() res: Response): void {
    res.status(200).setHeader('Cache-Control', 'no-store');
    res.json({ status: 'live', uptimeSeconds: Math.round(process.uptime()) });
  }

  @Get('ready')
  async ready(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { database, redis } = await this.probes();
    const verdict = readiness({
      draining: this.instance.draining,
      databaseUp: database.status === 'up',
      redisUp: redis.status === 'up',
      redisLastOkAt: this.instance.redisLastOkAt,
      now: Date.now(),
      redisGraceMs: this.config.ops.readyRedisGraceMs,
    });
    const detail = this.isOperator(req);
    const view = (p: Probe) => (detail ? p : { status: p.status });
    res.status(verdict.ready ? 200 : 503).setHeader('Cache-Control', 'no-store');
    res.json({
      status: verdict.ready ? (verdict.degraded ? 'degraded' : 'ready') : 'not-ready',
      ...(verdict.ready ? {} : { reason: verdict.reason }),
      database: view(database),
      redis: view(redis),
    });
  }
}
