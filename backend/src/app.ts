import 'reflect-metadata';
import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import fs from 'node:fs';
import path from 'node:path';
import { AppModule } from './app.module';
import type { AppConfig } from './config/config';
import { LtiRoutes } from './lti/lti-routes';
import { HttpErrorFilter } from './platform/http-error.filter';
import { RedisIoAdapter } from './platform/redis-io.adapter';

const SERVER_PREFIXES = ['/api', '/lti', '/dev-platform', '/socket.io'];

/** Builds the application (not listening yet): Nest + ltijs under /lti + the Angular SPA. */
export async function createApp(config: AppConfig, opts: { logger?: LogLevel[] | false } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: opts.logger ?? ['log', 'warn', 'error'],
    bodyParser: true,
  });
  // LTI services speak JSON under vendor media types (application/vnd.ims.lis.v1.score+json, ...).
  app.useBodyParser('json', { limit: '100kb', type: ['application/json', 'application/*+json'] });
  app.useGlobalFilters(new HttpErrorFilter());
  app.useWebSocketAdapter(new RedisIoAdapter(app, config.redisUrl, config.queuePrefix));
  app.enableShutdownHooks();
  app.set('trust proxy', 'loopback');
  app.use('/lti', app.get(LtiRoutes).router());
  mountSpa(app, config);
  await app.init();
  return app;
}

function mountSpa(app: NestExpressApplication, config: AppConfig) {
  const dist = path.resolve(config.frontendDist);
  const index = path.join(dist, 'index.html');
  app.use(express.static(dist, { index: false, maxAge: '1h' }));
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (req.method !== 'GET' || SERVER_PREFIXES.some((p) => req.path === p || req.path.startsWith(p + '/'))) return next();
    if (!fs.existsSync(index)) {
      res.status(503).type('text').send(`The frontend is not built (${index} is missing): run npm run build:frontend`);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
