import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestEnterResponse, GuestLinkCreated } from '../contracts/class-control';
import { ClientEvents, RoomState } from '../contracts/realtime';
import { Cluster, startCluster } from '../testing/cluster';
import { RoomClient } from '../testing/room-client';
import { waitFor } from '../testing/wait-for';

/**
 * Class control across two real backend processes on one Redis and one Postgres: the instructor on one
 * instance, the student and the guest on the other. Admission, locks, and a revoked guest link reach the
 * other instance; the revoked guest is refused by both.
 */
describe('class control across two backend instances', () => {
  const clients: RoomClient[] = [];
  let cluster: Cluster;
  let a: string;
  let b: string;
  let sessionId: string;
  let teacherToken: string;
  let teacher: RoomClient;

  const client = async (url: string, token: string) => {
    const c = new RoomClient(url, token);
    clients.push(c);
    await c.connected();
    return c;
  };

  beforeAll(async () => {
    cluster = await startCluster(2);
    [a, b] = cluster.ports.map((p) => `http://127.0.0.1:${p}`);
    teacherToken = await cluster.launch.launch('phys-101', 'dev-ada');
    const started = (await (
      await cluster.launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })
    ).json()) as { session: { id: string } };
    sessionId = started.session.id;
    teacher = await client(a, teacherToken);
    expect((await teacher.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.close();
  });

  it('a student waiting on instance B is listed and let in from instance A; a chat lock set on A holds on B', async () => {
    expect((await teacher.emit(ClientEvents.teacherWaitingRoom, { enabled: true })).ok).toBe(true);
    const student = await client(b, await cluster.launch.launchAs('phys-101', 'Across Instances'));
    expect(await student.emit(ClientEvents.join, { sessionId })).toMatchObject({
      ok: false,
      error: { code: 'WAITING_FOR_ADMISSION' },
    });
    const list = await teacher.waitFor('waiting:list', (l) => l.waiting.some((w) => w.name === 'Across Instances'));
    const id = list.waiting.find((w) => w.name === 'Across Instances')!.userId;
    expect(await teacher.emit(ClientEvents.teacherAdmit, { userIds: [id] })).toMatchObject({
      ok: true,
      data: { admitted: 1 },
    });
    await student.waitFor('waiting:admitted');
    const state = (await student.emit(ClientEvents.join, { sessionId })) as { ok: true; data: RoomState };
    expect(state.ok).toBe(true);
    await teacher.waitFor('presence:joined', (p) => p.userId === id);

    expect((await teacher.emit(ClientEvents.teacherLocks, { chat: true })).ok).toBe(true);
    await student.waitFor('control:state', (s) => s.locks.chat);
    expect(await student.call(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'CHAT_LOCKED' },
    });
    expect((await teacher.emit(ClientEvents.teacherLocks, { chat: false })).ok).toBe(true);
    expect((await teacher.emit(ClientEvents.teacherWaitingRoom, { enabled: false })).ok).toBe(true);
  }, 60_000);

  it("revoking a link on instance A lets the guest's socket on instance B go, and both instances refuse the guest", async () => {
    const api = (url: string, path: string, token: string | null, body?: unknown) =>
      fetch(`${url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const made = (await (
      await api(a, '/api/classroom/guest-links', teacherToken, {
        expiresInMinutes: 60,
        singleUse: false,
        needsAdmission: false,
      })
    ).json()) as GuestLinkCreated;
    const entered = (await (
      await api(b, '/api/guest/enter', null, { token: made.url.split('#')[1], name: 'Guest On B' })
    ).json()) as GuestEnterResponse;
    const guest = await client(b, entered.token);
    expect((await guest.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    expect((await api(a, `/api/classroom/guest-links/${made.link.id}/revoke`, teacherToken, {})).status).toBe(200);
    await waitFor(() => !guest.socket.connected, 'the guest on B let go');
    for (const url of [a, b]) {
      expect(await new RoomClient(url, entered.token).refused(), url).toBe('GUEST_ENDED');
      expect((await api(url, '/api/media/ice-servers', entered.token)).status, url).toBe(401);
    }
  }, 60_000);
});
