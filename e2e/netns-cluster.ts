import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../backend/src/testing/wait-for';
// @ts-expect-error plain ESM modules shared with the start scripts
import { findHaproxy } from '../scripts/lb-haproxy.mjs';
import type { NetnsLab } from './netns';
import { makeTestCertificates } from './test-ca';

const MAIN = path.resolve('dist/backend/src/main.js');
const HAPROXY_CONFIG = path.resolve('deploy/haproxy/haproxy.cfg');
/** The names the browsers and the instances use, as a deployment's DNS would give them. */
export const TOOL_HOST = 'lectern.test';
export const PLATFORM_HOST = 'lms.test';

export interface NetnsMachine {
  ns: string;
  address: string;
  /** The media host's instance id, once it has published its load. */
  id?: string;
}

export interface NetnsCluster {
  /** https://lectern.test: the tool, through HAProxy. */
  toolUrl: string;
  /** https://lms.test/dev-platform: the dev LMS (served by the same instances), through HAProxy. */
  platformUrl: string;
  /** Chromium's flags: the names mapped to HAProxy's address, the test CA's server key trusted. */
  browserArgs: string[];
  balancer: NetnsMachine;
  apps: NetnsMachine[];
  mediaHosts: NetnsMachine[];
  /** HAProxy's view of each server (UP, DOWN, ...), read from its stats page. */
  servers(): Promise<Record<string, string>>;
  /** An admin call on an app instance, straight to it (an operator's network). */
  admin<T>(method: 'GET' | 'POST', suffix: string): Promise<T>;
}

/**
 * Lectern as it runs on several machines, each machine a network namespace with its own address on
 * the lab's bridge: HAProxy (the deploy recipe's deploy/haproxy/haproxy.cfg, unchanged) terminating
 * TLS for lectern.test and lms.test with a certificate from a test CA; `apps` app instances
 * (MEDIA_ROLE=off) behind it, serving pages and sockets; `mediaHosts` media hosts (MEDIA_ROLE=only).
 * Postgres and Redis stay in the root namespace, reached through the lab's forwarders on the bridge.
 * The instances resolve the two names to HAProxy (their namespace's /etc/hosts) and trust the CA
 * (NODE_EXTRA_CA_CERTS): the tool fetches the dev LMS's keys through the balancer, as from a real LMS.
 */
export async function startNetnsCluster(opts: {
  lab: NetnsLab;
  redisUrl: string;
  databaseUrl: string;
  apps: number;
  mediaHosts: number;
  env: NodeJS.ProcessEnv;
  watch: (name: string, p: ChildProcess) => void;
}): Promise<NetnsCluster> {
  const { lab } = opts;
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm run build:backend first`);
  const haproxy = findHaproxy() as string | null;
  if (!haproxy) throw new Error('haproxy is not installed (Debian: apt-get install haproxy)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lectern-netns-${lab.id}-`));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const certs = makeTestCertificates(dir, [TOOL_HOST, PLATFORM_HOST]);

  const [redisFwd, pgFwd] = [
    await lab.forward(Number(new URL(opts.redisUrl).port)),
    await lab.forward(Number(new URL(opts.databaseUrl).port)),
  ];
  const viaBridge = (u: string, port: number) => {
    const url = new URL(u);
    url.hostname = lab.gateway;
    url.port = String(port);
    return url.toString();
  };
  const balancer: NetnsMachine = lab.addHost();
  const names = { [TOOL_HOST]: balancer.address, [PLATFORM_HOST]: balancer.address };
  const toolUrl = `https://${TOOL_HOST}`;
  const platformUrl = `https://${PLATFORM_HOST}/dev-platform`;
  const env: NodeJS.ProcessEnv = {
    ...opts.env,
    REDIS_URL: viaBridge(opts.redisUrl, redisFwd),
    DATABASE_URL: viaBridge(opts.databaseUrl, pgFwd),
    PUBLIC_URL: toolUrl,
    DEV_PLATFORM_URL: platformUrl,
    NODE_EXTRA_CA_CERTS: certs.caFile,
    // X-Forwarded-For is believed from HAProxy's address only.
    TRUST_PROXY: balancer.address,
    PORT: '3000',
  };

  // The app instances: the first migrates the database, the others wait for it.
  const apps: NetnsMachine[] = [];
  for (let i = 0; i < opts.apps; i++) {
    const machine = lab.addHost();
    lab.setHosts(machine.ns, names);
    apps.push(machine);
    opts.watch(
      `app ${machine.address}`,
      lab.spawnIn(machine.ns, process.execPath, [MAIN], {
        ...env,
        HOST: machine.address,
        MEDIA_ROLE: 'off',
        MIGRATE_ON_START: i === 0 ? 'true' : 'false',
      }),
    );
    await waitFor(
      async () => (await fetch(`http://${machine.address}:3000/api/health`).catch(() => null))?.ok,
      `app instance ${i + 1} (${machine.address}) healthy`,
      90_000,
    );
  }

  const mediaHosts: NetnsMachine[] = [];
  for (let i = 0; i < opts.mediaHosts; i++) {
    const machine = lab.addHost();
    lab.setHosts(machine.ns, names);
    mediaHosts.push(machine);
    opts.watch(
      `media ${machine.address}`,
      lab.spawnIn(machine.ns, process.execPath, [MAIN], {
        ...env,
        MEDIA_ROLE: 'only',
        MEDIA_LISTEN_IP: machine.address,
        MIGRATE_ON_START: 'false',
      }),
    );
  }

  // HAProxy with the recipe's file; its third server repeats an instance when there are two.
  const server = (i: number) => `${apps[Math.min(i, apps.length - 1)]!.address}:3000`;
  const stats = `http://${balancer.address}:8404/`;
  opts.watch(
    'haproxy',
    lab.spawnIn(balancer.ns, haproxy, ['-db', '-f', HAPROXY_CONFIG], {
      PATH: process.env.PATH,
      LECTERN_1: server(0),
      LECTERN_2: server(1),
      LECTERN_3: server(2),
      HTTPS_BIND: `${balancer.address}:443`,
      HTTP_BIND: `${balancer.address}:80`,
      STATS_BIND: `${balancer.address}:8404`,
      TLS_CERT: certs.serverPem,
    }),
  );
  const servers = async (): Promise<Record<string, string>> => {
    const csv = await (await fetch(`${stats};csv`)).text();
    return Object.fromEntries(
      csv
        .split('\n')
        .filter((l) => l.startsWith('lectern,lectern-'))
        .map((l) => {
          const f = l.split(',');
          return [f[1]!, f[17]!];
        }),
    );
  };
  await waitFor(
    async () => {
      const s = await servers().catch(() => ({}));
      return Object.values(s).length === 3 && Object.values(s).every((v) => v === 'UP');
    },
    "HAProxy's health checks see every app instance UP",
    60_000,
  );

  const admin = async <T>(method: 'GET' | 'POST', suffix: string): Promise<T> => {
    const res = await fetch(`http://${apps[0]!.address}:3000/api/admin/media-hosts${suffix}`, {
      method,
      headers: { authorization: `Bearer ${opts.env.ADMIN_TOKEN}` },
    });
    if (!res.ok) throw new Error(`admin ${method} ${suffix}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  // Every media host has published its load with its address (so the test knows which namespace is which).
  await waitFor(
    async () => {
      const list = await admin<{ hosts: Array<{ instanceId: string; address?: string; alive: boolean }> }>('GET', '');
      for (const h of mediaHosts) h.id = list.hosts.find((x) => x.address === h.address && x.alive)?.instanceId;
      return mediaHosts.every((h) => h.id);
    },
    `${opts.mediaHosts} media hosts listed, one per namespace`,
    150_000,
  );

  return {
    toolUrl,
    platformUrl,
    browserArgs: [
      `--host-resolver-rules=MAP ${TOOL_HOST} ${balancer.address}, MAP ${PLATFORM_HOST} ${balancer.address}`,
      `--ignore-certificate-errors-spki-list=${certs.spki}`,
    ],
    balancer,
    apps,
    mediaHosts,
    servers,
    admin,
  };
}

/** A secret for the admin API of one run. */
export const adminToken = () => crypto.randomBytes(24).toString('hex');
