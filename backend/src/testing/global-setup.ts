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

/**
 * Starts one real PostgreSQL and one real Redis on loopback for the whole run; each test file makes its own
 * database. PostgreSQL's throwaway data goes where its OS user can reach it (as root: not necessarily under
 * `dir`, see scripts/services.mjs). When a service cannot start, the run stops with one line saying why and
 * what to do.
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-test-'));
  const started: { stop(): Promise<void> }[] = [];
  const teardown = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pg = await startPostgres({ dir: path.join(dir, 'pg'), port: await freePort(), persistent: false });
    started.push(pg);
    const redis = await startRedis({ dir: path.join(dir, 'redis'), port: await freePort(), persistent: false });
    started.push(redis);
    project.provide('services', { postgresUrl: pg.url('postgres'), redisUrl: redis.url });
  } catch (e) {
    await teardown();
    // Vitest prints it: one line, the problem and the fix, with no stack of our own setup code.
    const line = `[lectern] the tests' services did not start: ${e instanceof Error ? e.message : String(e)}`;
    const err = new Error(line);
    err.stack = line;
    throw err;
  }
  return teardown;
}
