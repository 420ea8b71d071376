import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, startTestApp, TestApp } from './test-app';

type Env = Record<string, string>;

export interface TestDeployment {
  /** The instances, in the order of `each`; the first one's URL is the deployment's public URL. */
  apps: TestApp[];
  databaseUrl: string;
  /** Closes every instance, the last started first. */
  close(): Promise<void>;
}

/**
 * Several in-process instances of one deployment, as behind one balancer: one database, one queue
 * prefix, one session secret and LTI key, one public URL and dev platform (the first instance's), one
 * recording and HLS storage; each instance on its own port with its own mediasoup worker. `shared` goes
 * to every instance, `each[i]` to instance i only (and wins). For backend processes behind the real load
 * balancer, see cluster.ts.
 */
export async function startTestDeployment(each: Env[] = [{}, {}], shared: Env = {}): Promise<TestDeployment> {
  const tag = crypto.randomBytes(4).toString('hex');
  const common: Env = {
    DATABASE_URL: await createTestDatabase(),
    QUEUE_PREFIX: `dep-${tag}`,
    SESSION_SECRET: crypto.randomBytes(24).toString('hex'),
    LTI_KEY: crypto.randomBytes(24).toString('hex'),
    RECORDING_DIR: path.join(os.tmpdir(), `lectern-rec-${tag}`),
    HLS_DIR: path.join(os.tmpdir(), `lectern-hls-${tag}`),
    ...shared,
  };
  const apps: TestApp[] = [];
  const close = async () => {
    for (const app of [...apps].reverse()) await app.close();
  };
  try {
    for (const env of each) {
      const first = apps[0];
      apps.push(
        await startTestApp({
          ...common,
          ...(first ? { PUBLIC_URL: first.url, DEV_PLATFORM_URL: first.platformUrl } : {}),
          ...env,
        }),
      );
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { apps, databaseUrl: common.DATABASE_URL!, close };
}
