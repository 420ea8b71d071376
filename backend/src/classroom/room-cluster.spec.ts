import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents, RoomState, ServerEvents } from '../contracts/realtime';
import { Cluster, startCluster } from '../testing/cluster';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { waitFor } from '../testing/wait-for';

/**
 * Two real backend processes (the built server) on one Redis and one Postgres, behind the local load
 * balancer; one is killed with SIGKILL mid-class.
 */
describe('the live room across two backend instances', () => {
  const clients: RoomClient[] = [];
  let cluster: Cluster;
  let ports: number[];
  let procs: Cluster['procs'];
  let proxyPort: number;
  let launch: LaunchClient;
  let sessionId: string;
  let teacherToken: string;

  beforeAll(async () => {
    cluster = await startCluster(2);
    ({ ports, procs, launch } = cluster);
    proxyPort = Number(new URL(cluster.proxyUrl).port);
    teacherToken = await launch.launch('phys-101', 'dev-ada');
    const started = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    sessionId = started.session.id;
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.close();
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
    expect((await onB.waitFor(ServerEvents.chatMessage, (m) => m.text === 'from instance A')).authorName).toBe(
      'Ada Lovelace',
    );
    await onB.emit(ClientEvents.hand, { raised: true });
    await onA.waitFor(ServerEvents.updated, (p) => p.name === 'Grace Hopper' && p.handRaised);
    onA.close();
    onB.close();
  });

  it('survives an instance killed with SIGKILL: clients reconnect to the other and see the same room, ghosts go', async () => {
    const alan = await launch.launch('phys-101', 'dev-alan');
    const graceGhost = await launch.launch('phys-101', 'dev-grace');
    // Alan and Ada through the load balancer (with reconnection), Grace pinned to instance A (she will vanish with it).
    const { c: ada } = await join(`http://localhost:${proxyPort}`, teacherToken, true);
    const { c: alanC } = await join(`http://localhost:${proxyPort}`, alan, true);
    const { c: ghost } = await join(`http://localhost:${ports[0]}`, graceGhost, false);
    await ada.waitFor(ServerEvents.joined, (p) => p.name === 'Grace Hopper');

    procs[0].kill('SIGKILL');
    await new Promise((r) => procs[0].once('exit', r));
    // The client notices the dead TCP connection a moment after the process is gone.
    await waitFor(() => !ghost.socket.connected, 'the pinned client disconnected', 5000);

    // Whoever was on A reconnects through the balancer to B and joins again; all end up on B.
    await waitFor(async () => ada.socket.connected && alanC.socket.connected, 'both clients connected again', 15_000);
    const fresh = await join(`http://localhost:${ports[1]}`, teacherToken);
    // Grace's sockets died with instance A: within the heartbeat window she is gone from the room.
    await fresh.c.waitFor(ServerEvents.left, undefined, 10_000).catch(() => undefined);
    const state = await waitFor(
      async () => {
        const ack = await fresh.c.emit(ClientEvents.join, { sessionId });
        return ack.ok && !ack.data.participants.some((p) => p.name === 'Grace Hopper') ? ack.data : null;
      },
      'no ghost of Grace after the heartbeat window',
      10_000,
    );
    expect(state.participants.map((p) => p.name).sort()).toEqual(['Ada Lovelace', 'Alan Turing']);

    // The room still works for everyone left: a message reaches Alan.
    await fresh.c.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'still here' });
    await alanC.waitFor(ServerEvents.chatMessage, (m) => m.text === 'still here');
  });
});
