import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { Metrics } from './metrics';

/**
 * Serves `GET /metrics` (Prometheus text format) on a port of its own, so the scrape endpoint is never
 * reachable through the load balancer that fronts the app (METRICS_PORT, METRICS_HOST).
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: http.Server;

  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Where it listens (null when metrics are off or not started yet). */
  address(): { host: string; port: number } | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    const target = this.config.ops.metrics;
    if (!target) return;
    const server = http.createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics is served here\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(body),
        (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e.message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(target.port, target.host, () => resolve());
    });
    this.server = server;
    const a = this.address();
    this.logger.log(`Prometheus metrics at http://${a?.host}:${a?.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
