import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents, RoomState, ServerEvents } from '../contracts/realtime';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';

// A big room's presence changes go out as one batch per window (PRESENCE_BATCH_ABOVE people or more);
// here the threshold is 3 so the dev LMS's course (an instructor, two students) reaches it.
describe('presence batching in big rooms (Socket.io, real Redis and Postgres)', () => {
  let t: TestApp;
  let launch: LaunchClient;
  const clients: RoomClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({ PRESENCE_BATCH_ABOVE: '3', PRESENCE_BATCH_MS: '1500' });
    launch = new LaunchClient(t);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  const join = async (token: string, sessionId: string) => {
    const c = new RoomClient(t.url, token);
    clients.push(c);
    await c.connected();
    const ack = await c.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    return { c, state: ack.data as RoomState };
  };

  it('small rooms hear each change at once; from the threshold on, one batch holds each person latest state', async () => {
    const teacherToken = await launch.launch('phys-101', 'dev-ada');
    const graceToken = await launch.launch('phys-101', 'dev-grace');
    const alanToken = await launch.launch('phys-101', 'dev-alan');
    const started = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    const sessionId = started.session.id;
    const { c: teacher } = await join(teacherToken, sessionId);
    const { c: grace } = await join(graceToken, sessionId); // the room has 2: at once
    expect((await teacher.waitFor(ServerEvents.joined, (p) => p.name === 'Grace Hopper')).role).toBe('learner');

    const { c: alan, state } = await join(alanToken, sessionId); // 3: the window opens
    expect(state.participants).toHaveLength(3);
    expect((await grace.emit(ClientEvents.hand, { raised: true })).ok).toBe(true);
    alan.close();
    await teacher.waitFor(ServerEvents.presenceBatch, (b) => b.left.length > 0, 10_000);
    // Nothing of Alan or of Grace's hand came one by one: only in batches, each person once per batch.
    expect(teacher.got(ServerEvents.joined).filter((p) => p.name === 'Alan Turing')).toHaveLength(0);
    expect(teacher.got(ServerEvents.updated)).toHaveLength(0);
    expect(teacher.got(ServerEvents.left)).toHaveLength(0);
    const batches = teacher.got(ServerEvents.presenceBatch);
    for (const b of batches) {
      const ids = [...b.participants.map((p) => p.userId), ...b.left];
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(batches.some((b) => b.participants.some((p) => p.name === 'Grace Hopper' && p.handRaised))).toBe(true);
    // Every batch the teacher got, applied to the join-time list, gives the room as it is.
    let list = state.participants;
    for (const b of teacher.got(ServerEvents.presenceBatch)) {
      list = list.filter((p) => !b.left.includes(p.userId));
      for (const p of b.participants) list = [...list.filter((q) => q.userId !== p.userId), p];
    }
    expect(list.map((p) => p.name).sort()).toEqual(['Ada Lovelace', 'Grace Hopper']);
  });
});
