import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM module shared with the start script
import { freePort, startPostgres, startRedis } from '../../../scripts/services.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    services: { postgresUrl: string; redisUrl: string };
  }
}

/** Starts one real PostgreSQL and one real Redis on loopback for the whole run; each test file makes its own database. */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-test-'));
  const pg = await startPostgres({ dir: path.join(dir, 'pg'), port: await freePort(), persistent: false });
  const redis = await startRedis({ dir: path.join(dir, 'redis'), port: await freePort(), persistent: false });
  project.provide('services', { postgresUrl: pg.url('postgres'), redisUrl: redis.url });
  return async () => {
    await redis.stop();
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
