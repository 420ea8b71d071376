import type { NestExpressApplication } from '@nestjs/platform-express';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { createApp } from '../app';
import { AppConfig, loadConfig } from '../config/config';
import { DevPlatformService } from '../dev-platform/dev-platform.service';
import { runMigrations } from '../platform/database';
// @ts-expect-error plain ESM module shared with the start script
import { freePort } from '../../../scripts/services.mjs';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** The tool's base URL (http://localhost:PORT). */
  url: string;
  /** The dev platform's issuer (http://127.0.0.1:PORT/dev-platform): another site than the tool. */
  platformUrl: string;
  db: DataSource;
  devPlatform: DevPlatformService;
  close(): Promise<void>;
}

/** A fresh database (migrated) on the run's PostgreSQL. */
export async function createTestDatabase(): Promise<string> {
  const { postgresUrl } = inject('services');
  const name = `lectern_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = postgresUrl.replace(/\/postgres$/, `/${name}`);
  await runMigrations(url);
  return url;
}

/** Starts the whole application on a free loopback port against its own database. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const { redisUrl } = inject('services');
  const databaseUrl = env.DATABASE_URL ?? (await createTestDatabase());
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    LTI_KEY: crypto.randomBytes(24).toString('hex'),
    SESSION_SECRET: crypto.randomBytes(24).toString('hex'),
    FRONTEND_DIST: 'dist/frontend/browser',
    DEV_PLATFORM: 'true',
    KEY_ROTATION_PUBLISH_AHEAD_MINUTES: '0',
    // Test apps share one Redis: each gets its own queues, so no app runs another's jobs.
    QUEUE_PREFIX: `test-${crypto.randomBytes(4).toString('hex')}`,
    // One mediasoup worker per test app, on any free port (workers start only when media is joined).
    MEDIA_WORKERS: '1',
    MEDIA_PORT: '0',
    // Live recording capture adds a transport and an FFmpeg process per producer: only the specs that test it turn it on.
    RECORDING_CAPTURE: 'false',
    RECORDING_DIR: path.join(os.tmpdir(), `lectern-rec-${crypto.randomBytes(4).toString('hex')}`),
    HLS_DIR: path.join(os.tmpdir(), `lectern-hls-${crypto.randomBytes(4).toString('hex')}`),
    ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
    ...env,
  });
  const app = await createApp(config, { logger: ['error'] });
  await app.listen(config.port, config.host);
  return {
    app,
    config,
    url: config.publicUrl,
    platformUrl: config.devPlatform.url,
    db: app.get(DataSource),
    devPlatform: app.get(DevPlatformService),
    close: () => app.close(),
  };
}

export async function countTenantRows(db: DataSource): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['course', 'lti_user', 'enrolment', 'classroom_activity', 'live_session']) {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM ${t}`);
    out[t] = n;
  }
  return out;
}
