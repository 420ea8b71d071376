import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents, RoomState, ServerEvents } from '../contracts/realtime';
import { Cluster, startCluster } from '../testing/cluster';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';

/**
 * Presence batching across two real backend processes (one Redis, one Postgres): the changes made on
 * both instances inside one window reach a member as ONE `presence:batch` from its own instance, not one
 * batch per instance. Threshold 2 so the dev LMS's course reaches it; a long window so the joins on two
 * instances surely fall in it on a busy machine.
 */
describe('presence batching across instances', () => {
  const clients: RoomClient[] = [];
  let cluster: Cluster;
  let launch: LaunchClient;

  beforeAll(async () => {
    cluster = await startCluster(2, { PRESENCE_BATCH_ABOVE: '2', PRESENCE_BATCH_MS: '4000' });
    ({ launch } = cluster);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.close();
  });

  const join = async (port: number, token: string, sessionId: string) => {
    const c = new RoomClient(`http://localhost:${port}`, token);
    clients.push(c);
    await c.connected();
    const ack = await c.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    return { c, state: ack.data as RoomState };
  };

  it('one batch per window holds the changes of every instance, and each member applies them to the room as it is', async () => {
    const [a, b] = cluster.ports;
    const teacherToken = await launch.launch('phys-101', 'dev-ada');
    const graceToken = await launch.launch('phys-101', 'dev-grace');
    const alanToken = await launch.launch('phys-101', 'dev-alan');
    const started = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    const sessionId = started.session.id;

    const { c: teacher, state } = await join(a, teacherToken, sessionId); // alone: nobody to tell
    expect(state.participants).toHaveLength(1);
    // Grace on instance B makes two: the window opens on both instances.
    const { c: grace } = await join(b, graceToken, sessionId);
    // Inside the window: Alan arrives on A, Grace raises her hand on B.
    const { c: alan } = await join(a, alanToken, sessionId);
    expect((await grace.emit(ClientEvents.hand, { raised: true })).ok).toBe(true);

    const first = await teacher.waitFor(ServerEvents.presenceBatch, () => true, 15_000);
    // Without the merge, B's batch (Grace) and A's batch (Alan) arrive apart.
    expect(first.participants.map((p) => p.name).sort()).toEqual(['Alan Turing', 'Grace Hopper']);
    expect(first.participants.find((p) => p.name === 'Grace Hopper')?.handRaised).toBe(true);
    expect(teacher.got(ServerEvents.joined)).toHaveLength(0);
    expect(teacher.got(ServerEvents.updated)).toHaveLength(0);

    // Grace, on B, hears Alan's arrival on A in her own instance's batch.
    const onB = await grace.waitFor(ServerEvents.presenceBatch, (x) =>
      x.participants.some((p) => p.name === 'Alan Turing'),
    );
    expect(onB.participants.some((p) => p.name === 'Grace Hopper')).toBe(true); // her own hand, as the room saw it

    // Alan leaves on A: B's member hears it.
    alan.close();
    await grace.waitFor(ServerEvents.presenceBatch, (x) => x.left.length > 0, 15_000);
    await teacher.waitFor(ServerEvents.presenceBatch, (x) => x.left.length > 0, 15_000);
    // Each member's list, from its join state and the batches, is the room as it is.
    for (const [c, initial] of [[teacher, state.participants]] as const) {
      let list = initial;
      for (const x of c.got(ServerEvents.presenceBatch)) {
        list = list.filter((p) => !x.left.includes(p.userId));
        for (const p of x.participants) list = [...list.filter((q) => q.userId !== p.userId), p];
      }
      expect(list.map((p) => p.name).sort()).toEqual(['Ada Lovelace', 'Grace Hopper']);
    }
    // Two windows, two batches: one per window from the teacher's own instance, whatever B did.
    expect(teacher.got(ServerEvents.presenceBatch)).toHaveLength(2);
  }, 90_000);
});
