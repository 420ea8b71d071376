import crypto from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  BreakoutEvents,
  BreakoutServerEvents,
  type BreakoutServerPayloads,
  type BreakoutState,
} from '../contracts/breakout';
import { ClientEvents, type RoomState } from '../contracts/realtime';
import { Cluster, startCluster } from '../testing/cluster';
import { RawRoomSocket } from '../testing/raw-room-socket';
import { RoomClient } from '../testing/room-client';
import { waitFor } from '../testing/wait-for';

const stroke = () => {
  const id = crypto.randomBytes(4).toString('hex');
  return {
    type: 'add',
    opId: `atk-${id}`,
    page: 'page-1',
    elementId: `el-${id}`,
    element: {
      kind: 'stroke',
      tool: 'pen',
      colour: '#ff0000',
      width: 2,
      points: [
        [0, 0],
        [9, 9],
      ],
    },
  };
};

/**
 * Breakouts across two real backend processes on one Redis and one Postgres. (1) Nobody reaches a room
 * they were not placed in: a placed student, a student of the class with no room and outsiders pipeline
 * `breakout:enter` and room events behind `room:join` in one write, and send them alone; nothing is
 * written in the room. (2) The timer is a Bull delayed job: the instance whose instructor set it is
 * SIGKILLed, and the rooms still close on time, everyone back in the main room.
 */
describe('breakout rooms across two backend instances', () => {
  let cluster: Cluster;
  let db: Client;
  let redis: Redis;
  let a: string;
  let b: string;
  let sessionId: string;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const clients: RoomClient[] = [];
  const raws: RawRoomSocket[] = [];

  const client = async (url: string, who: string) => {
    const c = new RoomClient(url, tokens[who]);
    clients.push(c);
    await c.connected();
    const ack = (await c.emit(ClientEvents.join, { sessionId })) as { ok: true; data: RoomState };
    if (!ack.ok) throw new Error(JSON.stringify(ack));
    ids[who] = ack.data.me.userId;
    return c;
  };
  const raw = async (who: string) => {
    const r = await RawRoomSocket.open(cluster.proxyUrl, tokens[who]);
    raws.push(r);
    return r;
  };
  const ok = async <T>(c: RoomClient, event: string, payload: unknown = {}): Promise<T> => {
    const ack = await c.call<T>(event, payload);
    if (!ack.ok) throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
    return ack.data;
  };
  const heard = <E extends keyof BreakoutServerPayloads>(
    c: RoomClient,
    event: E,
    match: (p: BreakoutServerPayloads[E]) => boolean = () => true,
    timeoutMs = 8000,
  ) => c.waitFor<BreakoutServerPayloads, E>(event, match, timeoutMs);

  beforeAll(async () => {
    cluster = await startCluster(2);
    [a, b] = cluster.ports.map((p) => `http://127.0.0.1:${p}`);
    db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    redis = new Redis(inject('services').redisUrl);
    const L = cluster.launch;
    tokens.teacher = await L.launch('phys-101', 'dev-ada');
    tokens.grace = await L.launch('phys-101', 'dev-grace');
    tokens.alan = await L.launch('phys-101', 'dev-alan');
    tokens.barbara = await L.launchAs('phys-101', 'Barbara Unplaced');
    tokens.outsiderLearner = await L.launch('hist-210', 'dev-katherine');
    tokens.outsiderTeacher = await L.launch('hist-210', 'dev-ada');
    sessionId = (
      (await (await L.api('/api/classroom/sessions', tokens.teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const r of raws) r.close();
    await db?.end();
    redis?.disconnect();
    await cluster?.close();
  });

  it('a student cannot join or act in a breakout they were not placed in, pipelined behind the join or alone; outsiders reach nothing', async () => {
    const teacher = await client(a, 'teacher');
    const grace = await client(b, 'grace');
    const alan = await client(b, 'alan');
    await client(a, 'barbara'); // in the class, placed nowhere (by hand)
    const state = await ok<BreakoutState>(teacher, BreakoutEvents.open, {
      mode: 'hand',
      rooms: [
        { name: 'Grace room', userIds: [ids.grace] },
        { name: 'Alan room', userIds: [ids.alan] },
      ],
    });
    const [graceRoom, alanRoom] = state.rooms;
    expect(await ok(alan, BreakoutEvents.enter, { roomId: alanRoom.id })).toMatchObject({ roomId: alanRoom.id });
    expect(await ok(grace, BreakoutEvents.enter, { roomId: graceRoom.id })).toMatchObject({ roomId: graceRoom.id });
    const boardSeq = async () => (await ok<{ seq: number }>(alan, 'wb:sync', { since: 0 })).seq;
    const seqBefore = await boardSeq();
    const written = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM chat_message WHERE session_id = $1`, [alanRoom.id])).rows[0].n;
    const intoAlanRoom = (): Array<[string, unknown]> => [
      [BreakoutEvents.enter, { roomId: alanRoom.id }],
      ['chat:send', { clientId: crypto.randomUUID(), text: 'intruder' }],
      ['wb:op', stroke()],
      [BreakoutEvents.help, {}],
    ];

    // A placed student (Grace: Grace room) and an unplaced one (Barbara): the enter is refused NOT_PLACED,
    // pipelined with the join in one write and alone; what follows acts in their own room, never in Alan's.
    for (const who of ['grace', 'barbara']) {
      for (const [event, payload] of intoAlanRoom()) {
        const s = await raw(who);
        const [join, enter, ack] = await s.pipeline([
          ['room:join', { sessionId }],
          [BreakoutEvents.enter, { roomId: alanRoom.id }],
          [event, payload],
        ]);
        expect(join.ok, `${who}: own join`).toBe(true);
        expect(enter, `${who}: enter pipelined before ${event}`).toMatchObject({
          ok: false,
          error: { code: 'NOT_PLACED' },
        });
        if (event === BreakoutEvents.enter) expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_PLACED' } });
        s.close();
      }
      const s = await raw(who);
      expect((await s.emit('room:join', { sessionId })).ok).toBe(true);
      for (const ack of await s.pipeline(intoAlanRoom().filter(([e]) => e === BreakoutEvents.enter)))
        expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_PLACED' } });
      s.close();
    }
    // A breakout room is not a class: joining it by its id is refused, and nothing behind the join acts.
    for (const who of ['grace', 'barbara']) {
      const s = await raw(who);
      const acks = await s.pipeline([['room:join', { sessionId: alanRoom.id }], ...intoAlanRoom()]);
      expect(acks[0], `${who}: room:join of a breakout`).toMatchObject({
        ok: false,
        error: { code: 'SESSION_NOT_FOUND' },
      });
      for (const ack of acks.slice(1)) expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_IN_ROOM' } });
      s.close();
    }
    // Learners cannot run the breakouts: every instructor event is refused, pipelined or alone.
    const teacherEvents: Array<[string, unknown]> = [
      [BreakoutEvents.open, { mode: 'random', rooms: 2 }],
      [BreakoutEvents.move, { userId: ids.grace, roomId: alanRoom.id }],
      [BreakoutEvents.broadcast, { text: 'pwned' }],
      [BreakoutEvents.timer, { durationSeconds: 5 }],
      [BreakoutEvents.recall, {}],
    ];
    for (const [event, payload] of teacherEvents) {
      const s = await raw('grace');
      const [join, ack] = await s.pipeline([
        ['room:join', { sessionId }],
        [event, payload],
      ]);
      expect(join.ok).toBe(true);
      expect(ack, event).toMatchObject({ ok: false, error: { code: 'TEACHER_ONLY' } });
      s.close();
    }
    // Outsiders (another course's learner and instructor): the join is refused, and so is everything behind it.
    for (const who of ['outsiderLearner', 'outsiderTeacher']) {
      const s = await raw(who);
      const acks = await s.pipeline([['room:join', { sessionId }], ...intoAlanRoom(), ...teacherEvents]);
      expect(acks[0]).toMatchObject({ ok: false, error: { code: 'SESSION_NOT_FOUND' } });
      for (const ack of acks.slice(1)) expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_IN_ROOM' } });
      const alone = await s.pipeline([...intoAlanRoom(), ...teacherEvents]);
      for (const ack of alone) expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_IN_ROOM' } });
      s.close();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await written()).toBe(0);
    expect(await boardSeq()).toBe(seqBefore);
    expect(alan.got('chat:message').some((m) => m.text === 'intruder')).toBe(false);
    expect(alan.got('wb:effects' as never)).toHaveLength(0);
    // The split is as the instructor left it.
    const after = await ok<BreakoutState>(teacher, BreakoutEvents.sync);
    expect(after.runId).toBe(state.runId);
    expect(after.rooms.map((r) => r.students.map((p) => p.userId))).toEqual([[ids.grace], [ids.alan]]);
    expect(await redis.hget(`breakout:${sessionId}:placed`, ids.barbara)).toBeNull();
    await ok(teacher, BreakoutEvents.recall);
    await heard(grace, BreakoutServerEvents.state, (s) => !s.active);
  }, 180_000);

  it('the instance holding the timer is SIGKILLed: the rooms still close on time and everyone is back in the main room', async () => {
    // The instructor is on instance A and sets the timer there; the students are on B.
    const teacher = await client(a, 'teacher');
    const grace = await client(b, 'grace');
    const alan = await client(b, 'alan');
    const state = await ok<BreakoutState>(teacher, BreakoutEvents.open, {
      mode: 'random',
      rooms: 2,
      durationSeconds: 8,
    });
    const endsAt = Date.parse(state.endsAt!);
    for (const [c, who] of [
      [grace, 'grace'],
      [alan, 'alan'],
    ] as const) {
      const mine = state.rooms.find((r) => r.students.some((p) => p.userId === ids[who]))!;
      expect(await ok(c, BreakoutEvents.enter, { roomId: mine.id })).toMatchObject({ roomId: mine.id });
    }
    cluster.procs[0].kill('SIGKILL');
    await waitFor(() => cluster.procs[0].exitCode !== null || cluster.procs[0].signalCode !== null, 'instance A gone');

    // The warning (less than a minute: at once) and the close come from the Bull jobs, run by B.
    const closed = await heard(grace, BreakoutServerEvents.state, (s) => !s.active, 30_000);
    const lateBy = Date.now() - endsAt;
    expect(closed.rooms).toEqual([]);
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt - 50);
    // Bull promotes delayed jobs on its own timer; on a loaded machine it may be a few seconds late.
    expect(lateBy).toBeLessThan(10_000);
    await heard(alan, BreakoutServerEvents.state, (s) => !s.active);
    const open = await db.query(`SELECT 1 FROM live_session WHERE parent_session_id = $1 AND ended_at IS NULL`, [
      sessionId,
    ]);
    expect(open.rows).toHaveLength(0);
    // Everyone back: they enter the main room and hear each other there.
    for (const c of [grace, alan])
      expect(await ok(c, BreakoutEvents.enter, { roomId: null })).toMatchObject({ roomId: null });
    const text = `back ${crypto.randomUUID()}`;
    expect((await grace.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text })).ok).toBe(true);
    await alan.waitFor('chat:message', (m) => m.text === text);
    console.log(`breakout timer across a SIGKILL: closed ${lateBy} ms after its end time`);
  }, 120_000);
});
