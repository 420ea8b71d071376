import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ClientEvents, RoomState, ServerEvents } from '../contracts/realtime';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { createTestDatabase, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
// @ts-expect-error plain ESM modules shared with the start scripts
import { freePort } from '../../../scripts/services.mjs';
// @ts-expect-error plain ESM modules shared with the start scripts
import { startProxy } from '../../../scripts/lb-proxy.mjs';

const MAIN = path.resolve('dist/backend/src/main.js');

/**
 * Two real backend processes (the built server) on one Redis and one Postgres, behind the local load
 * balancer; one is killed with SIGKILL mid-class.
 */
describe('the live room across two backend instances', () => {
  const procs: ChildProcess[] = [];
  const logs: string[] = [];
  const clients: RoomClient[] = [];
  let proxy: { port: number; close(): Promise<void> };
  let ports: number[];
  let launch: LaunchClient;
  let sessionId: string;
  let teacherToken: string;

  beforeAll(async () => {
    expect(fs.existsSync(MAIN), `${MAIN} is missing: npm test builds it first (npm run build:backend)`).toBe(true);
    const { redisUrl } = inject('services');
    const databaseUrl = await createTestDatabase();
    ports = [await freePort(), await freePort()];
    proxy = await startProxy({ backends: ports.map((port) => ({ port })) });
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
    };
    for (const port of ports) {
      const p = spawn(process.execPath, [MAIN], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
      p.stdout!.on('data', (d) => logs.push(`[${port}] ${d}`));
      p.stderr!.on('data', (d) => logs.push(`[${port}] ${d}`));
      procs.push(p);
    }
    for (const port of ports) {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok, `instance :${port} healthy\n${logs.join('')}`, 60_000);
    }
    launch = new LaunchClient({ url: `http://localhost:${proxy.port}`, platformUrl: `http://127.0.0.1:${proxy.port}/dev-platform` } as TestApp);
    teacherToken = await launch.launch('phys-101', 'dev-ada');
    const started = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as { session: { id: string } };
    sessionId = started.session.id;
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null)));
    await proxy?.close();
  });

  const join = async (url: string, token: string, reconnection = false) => {
    const c = new RoomClient(url, token, { reconnection });
    clients.push(c);
    await c.connected();
    const ack = await c.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    // Like the app: after a reconnect, join again and take the room state.
    c.socket.io.on('reconnect', () => void c.emit(ClientEvents.join, { sessionId }));
    return { c, state: ack.data as RoomState };
  };

  it('delivers a chat message sent on one instance to a client on the other', async () => {
    const grace = await launch.launch('phys-101', 'dev-grace');
    const { c: onA } = await join(`http://localhost:${ports[0]}`, teacherToken);
    const { c: onB, state } = await join(`http://localhost:${ports[1]}`, grace);
    expect(state.participants.map((p) => p.name)).toEqual(['Ada Lovelace', 'Grace Hopper']);
    await onA.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'from instance A' });
    expect((await onB.waitFor(ServerEvents.chatMessage, (m) => m.text === 'from instance A')).authorName).toBe('Ada Lovelace');
    await onB.emit(ClientEvents.hand, { raised: true });
    await onA.waitFor(ServerEvents.updated, (p) => p.name === 'Grace Hopper' && p.handRaised);
    onA.close();
    onB.close();
  });

  it('survives an instance killed with SIGKILL: clients reconnect to the other and see the same room, ghosts go', async () => {
    const alan = await launch.launch('phys-101', 'dev-alan');
    const graceGhost = await launch.launch('phys-101', 'dev-grace');
    // Alan and Ada through the load balancer (with reconnection), Grace pinned to instance A (she will vanish with it).
    const { c: ada } = await join(`http://localhost:${proxy.port}`, teacherToken, true);
    const { c: alanC } = await join(`http://localhost:${proxy.port}`, alan, true);
    const { c: ghost } = await join(`http://localhost:${ports[0]}`, graceGhost, false);
    await ada.waitFor(ServerEvents.joined, (p) => p.name === 'Grace Hopper');

    procs[0].kill('SIGKILL');
    await new Promise((r) => procs[0].once('exit', r));
    expect(ghost.socket.connected).toBe(false);

    // Whoever was on A reconnects through the balancer to B and joins again; all end up on B.
    await waitFor(async () => ada.socket.connected && alanC.socket.connected, 'both clients connected again', 15_000);
    const fresh = await join(`http://localhost:${ports[1]}`, teacherToken);
    // Grace's sockets died with instance A: within the heartbeat window she is gone from the room.
    await fresh.c.waitFor(ServerEvents.left, undefined, 10_000).catch(() => undefined);
    const state = await waitFor(async () => {
      const ack = await fresh.c.emit(ClientEvents.join, { sessionId });
      return ack.ok && !ack.data.participants.some((p) => p.name === 'Grace Hopper') ? ack.data : null;
    }, 'no ghost of Grace after the heartbeat window', 10_000);
    expect(state.participants.map((p) => p.name).sort()).toEqual(['Ada Lovelace', 'Alan Turing']);

    // The room still works for everyone left: a message reaches Alan.
    await fresh.c.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'still here' });
    await alanC.waitFor(ServerEvents.chatMessage, (m) => m.text === 'still here');
  });
});
