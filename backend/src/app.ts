import 'reflect-metadata';
import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import fs from 'node:fs';
import path from 'node:path';
import { NativeLogger } from 'nestjs-pino';
import { quietStartup } from './platform/logging';
import { AppModule } from './app.module';
import { httpMetrics } from './platform/metrics/http-metrics';
import { Metrics } from './platform/metrics/metrics';
import type { AppConfig } from './config/config';
import { LAUNCH_PAGE_SCRIPTS } from './lti/launch-pages';
import { LtiRoutes } from './lti/lti-routes';
import { DomainEvents } from './platform/domain-events';
import { HttpErrorFilter } from './platform/http-error.filter';
import { installOutboundPolicy } from './platform/outbound-http';
import { httpRateLimit } from './platform/rate-limit/http-rate-limit';
import { RateLimiter } from './platform/rate-limit/rate-limiter';
import { RedisIoAdapter } from './platform/redis-io.adapter';
import { SessionRevocation } from './platform/auth/session-revocation';
import { builtPageScripts, FrameAncestors, securityHeaders } from './platform/security-headers';
import { TenancyService } from './tenancy/tenancy.service';
import { hlsFiles } from './media/broadcast/hls-files';
import { HLS_PREFIX } from './media/domain/hls-links';

const SERVER_PREFIXES = ['/api', '/lti', '/dev-platform', '/socket.io', HLS_PREFIX];

/** Builds the application (not listening yet): Nest + ltijs under /lti + the Angular SPA. */
export async function createApp(
  config: AppConfig,
  opts: { logger?: LogLevel[] | false; json?: boolean } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    ...(opts.json ? { bufferLogs: true } : { logger: opts.logger ?? ['log', 'warn', 'error'] }),
    bodyParser: true,
  });
  // JSON log lines through pino (platform/logging.ts) for every Nest Logger call, at LOG_LEVEL.
  if (opts.json) app.useLogger(quietStartup(app.get(NativeLogger)));
  // Every HTTP answer counted with its latency (Prometheus, platform/metrics), before any other middleware.
  app.use(httpMetrics(app.get(Metrics)));
  // LTI services speak JSON under vendor media types (application/vnd.ims.lis.v1.score+json, ...).
  app.useBodyParser('json', { limit: '100kb', type: ['application/json', 'application/*+json'] });
  app.useGlobalFilters(new HttpErrorFilter());
  app.useWebSocketAdapter(new RedisIoAdapter(app, config.redisUrl, config.queuePrefix));
  // With a drain period, SIGTERM is main.ts's: readiness turns false first and the app closes later.
  app.enableShutdownHooks(config.ops.shutdownDrainMs > 0 ? ['SIGINT', 'SIGHUP', 'SIGQUIT'] : undefined);
  // req.ip is the client's as far as the proxies TRUST_PROXY names say (the load balancer's X-Forwarded-For).
  app.set('trust proxy', config.trustProxy);
  // What ltijs fetches itself (platform JWKS) follows the same outbound policy as Lectern's own calls.
  installOutboundPolicy(config.outbound);
  // Security headers on everything (a refusal by the rate limit too): CSP with frame-ancestors, HSTS, nosniff.
  const ancestors = new FrameAncestors(app.get(TenancyService), config);
  await ancestors.refresh();
  app
    .get(DomainEvents)
    .on('platform.registered')
    .subscribe(() => void ancestors.refresh());
  // A platform disabled or enabled (on any instance: SessionRevocation hears it over Redis) frames or stops framing at once.
  app.get(SessionRevocation).changes.subscribe(() => void ancestors.refresh());
  const spaScripts = builtPageScripts(path.join(path.resolve(config.frontendDist), 'index.html'));
  app.use(securityHeaders(config, ancestors, () => [...LAUNCH_PAGE_SCRIPTS, ...spaScripts()]));
  // Rate limits per client address, shared in Redis, on /lti/login, /lti/register, /api/session/exchange
  // and /api/admin: before ltijs and Nest's routes (platform/rate-limit).
  app.use(httpRateLimit(app.get(RateLimiter)));
  app.use('/lti', app.get(LtiRoutes).router());
  // The big-lecture broadcast's files (a signed link, then the file): no Nest, no database on this path.
  app.use(HLS_PREFIX, hlsFiles(config.hls));
  mountSpa(app, config);
  await app.init();
  return app;
}

function mountSpa(app: NestExpressApplication, config: AppConfig) {
  const dist = path.resolve(config.frontendDist);
  const index = path.join(dist, 'index.html');
  app.use(express.static(dist, { index: false, maxAge: '1h' }));
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (req.method !== 'GET' || SERVER_PREFIXES.some((p) => req.path === p || req.path.startsWith(p + '/')))
      return next();
    if (!fs.existsSync(index)) {
      res.status(503).type('text').send(`The frontend is not built (${index} is missing): run npm run build:frontend`);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
