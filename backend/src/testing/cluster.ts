import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { LaunchClient } from './lti-client';
import { createTestDatabase, TestApp } from './test-app';
import { waitFor } from './wait-for';
// @ts-expect-error plain ESM modules shared with the start scripts
import { freePort } from '../../../scripts/services.mjs';
// @ts-expect-error plain ESM modules shared with the start scripts
import { startProxy } from '../../../scripts/lb-proxy.mjs';

const MAIN = path.resolve('dist/backend/src/main.js');

export interface Cluster {
  ports: number[];
  procs: ChildProcess[];
  proxyUrl: string;
  /** The cluster's own database (to check what was or was not written). */
  databaseUrl: string;
  launch: LaunchClient;
  logs: string[];
  close(): Promise<void>;
}

/** Real backend processes (the built server) on one Redis and one Postgres, behind the local load balancer. */
export async function startCluster(instances = 2, extraEnv: Record<string, string> = {}): Promise<Cluster> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm test builds it first (npm run build:backend)`);
  const { redisUrl } = inject('services');
  const databaseUrl = await createTestDatabase();
  const ports: number[] = [];
  for (let i = 0; i < instances; i++) ports.push(await freePort());
  const proxy = await startProxy({ backends: ports.map((port) => ({ port })) });
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PUBLIC_URL: `http://localhost:${proxy.port}`,
    DEV_PLATFORM: 'true',
    DEV_PLATFORM_URL: `http://127.0.0.1:${proxy.port}/dev-platform`,
    LTI_KEY: crypto.randomBytes(24).toString('hex'),
    SESSION_SECRET: crypto.randomBytes(24).toString('hex'),
    QUEUE_PREFIX: `cluster-${crypto.randomBytes(4).toString('hex')}`,
    PRESENCE_TTL_MS: '1500',
    PRESENCE_BEAT_MS: '250',
    MEDIA_WORKERS: '1',
    MEDIA_PORT: '0',
    // Recording capture only where a spec turns it on (extraEnv), into a folder of this cluster's own.
    RECORDING_CAPTURE: 'false',
    RECORDING_DIR: path.join(os.tmpdir(), `lectern-rec-${crypto.randomBytes(4).toString('hex')}`),
    ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
    // E.g. RATE_LIMIT_RULES for a flood test.
    ...extraEnv,
  };
  const logs: string[] = [];
  const procs: ChildProcess[] = [];
  for (const port of ports) {
    const p = spawn(process.execPath, [MAIN], {
      env: { ...env, PORT: String(port) },
      // The IPC channel closes when this test process dies: the instance then exits (see main.ts).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    p.stdout!.on('data', (d) => logs.push(`[${port}] ${d}`));
    p.stderr!.on('data', (d) => logs.push(`[${port}] ${d}`));
    procs.push(p);
  }
  // Instances boot side by side; on the shared 2-core machine at a load of 35-40 that took over 60 s.
  const t0 = Date.now();
  for (const port of ports) {
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok,
      `instance :${port} healthy`,
      150_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message} (${Date.now() - t0} ms; its output: ${logs.join('').slice(-4000)})`);
    });
  }
  const proxyUrl = `http://localhost:${proxy.port}`;
  return {
    ports,
    procs,
    proxyUrl,
    databaseUrl,
    logs,
    launch: new LaunchClient({ url: proxyUrl, platformUrl: `http://127.0.0.1:${proxy.port}/dev-platform` } as TestApp),
    async close() {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      await Promise.all(
        procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null)),
      );
      await proxy.close();
    },
  };
}
