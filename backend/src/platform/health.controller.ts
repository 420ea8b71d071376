import { Controller, Get, Inject, Logger, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import Redis from 'ioredis';
import crypto from 'node:crypto';
import type { AppConfig } from '../config/config';
import { DatabaseHealthRepository } from './infra/database-health.repository';
import { APP_CONFIG } from '../config/config';
import { REDIS } from './redis';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);

/**
 * Up or down for load balancers and anyone else; latency and the driver's error text (host names,
 * ports, user names) only for the operator (`Authorization: Bearer <ADMIN_TOKEN>`) and in the log.
 */
@Controller('api/health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly database: DatabaseHealthRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private isOperator(req: Request): boolean {
    if (!this.config.adminToken) return false;
    const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const expected = Buffer.from(this.config.adminToken);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  @Get()
  async health(@Req() req: Request, @Res() res: Response): Promise<void> {
    const probe = async (name: string, fn: () => Promise<unknown>) => {
      const started = Date.now();
      try {
        await withTimeout(fn(), 2000);
        return { status: 'up' as const, latencyMs: Date.now() - started };
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        this.logger.warn(`${name} is down: ${error}`);
        return { status: 'down' as const, error };
      }
    };
    const [database, redis] = await Promise.all([
      probe('the database', () => this.database.ping()),
      probe('Redis', () => this.redis.ping()),
    ]);
    const ok = database.status === 'up' && redis.status === 'up';
    const detail = this.isOperator(req);
    const view = (p: typeof database) => (detail ? p : { status: p.status });
    res.status(ok ? 200 : 503).setHeader('Cache-Control', 'no-store');
    res.json({ status: ok ? 'ok' : 'degraded', database: view(database), redis: view(redis) });
  }
}
