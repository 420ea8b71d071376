import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BreakoutEvents,
  BreakoutServerEvents,
  type BreakoutAckData,
  type BreakoutPlanView,
  type BreakoutRoomRecord,
  type BreakoutServerPayloads,
  type BreakoutState,
} from '../contracts/breakout';
import { ClientEvents, type RoomState } from '../contracts/realtime';
import { PresenceService } from '../classroom/presence.service';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';

type Ack<E extends keyof BreakoutAckData> =
  { ok: true; data: BreakoutAckData[E] } | { ok: false; error: { code: string; message: string } };

const stroke = (id: string) => ({
  type: 'add',
  opId: `op-${id}`,
  page: 'page-1',
  elementId: `el-${id}`,
  element: {
    kind: 'stroke',
    tool: 'pen',
    colour: '#112233',
    width: 2,
    points: [
      [0, 0],
      [5, 5],
    ],
  },
});

/**
 * Breakout rooms on one backend (real Postgres, Redis, Bull): split, enter, chat and board per room,
 * move, visit, help, broadcast, timer with its warning, recall; plans with absent students and late
 * joiners; what stays after class. The two-instance timer and the attacks are in breakout-cluster.spec.ts.
 */
describe('breakout rooms (real Postgres, Redis, Bull)', () => {
  let t: TestApp;
  let client: LaunchClient;
  let sessionId: string;
  let teacherToken: string;
  const sockets: RoomClient[] = [];
  const ids: Record<string, string> = {};
  const people: Record<string, RoomClient> = {};

  const call = async <E extends keyof BreakoutAckData>(c: RoomClient, event: E, payload: unknown) =>
    (await c.call<BreakoutAckData[E]>(event, payload)) as Ack<E>;
  const ok = async <E extends keyof BreakoutAckData>(c: RoomClient, event: E, payload: unknown = {}) => {
    const ack = await call(c, event, payload);
    if (!ack.ok) throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
    return ack.data;
  };
  const code = async (c: RoomClient, event: string, payload: unknown = {}) => {
    const ack = await c.call(event, payload);
    return ack.ok ? 'OK' : ack.error.code;
  };
  const heard = <E extends keyof BreakoutServerPayloads>(
    c: RoomClient,
    event: E,
    match: (p: BreakoutServerPayloads[E]) => boolean = () => true,
  ) => c.waitFor<BreakoutServerPayloads, E>(event, match);
  const join = async (who: string, token: string) => {
    const c = new RoomClient(t.url, token);
    sockets.push(c);
    await c.connected();
    const ack = (await c.emit(ClientEvents.join, { sessionId })) as { ok: true; data: RoomState };
    if (!ack.ok) throw new Error(JSON.stringify(ack));
    ids[who] = ack.data.me.userId;
    people[who] = c;
    return c;
  };
  const roomOf = (s: BreakoutState, who: string) => s.rooms.find((r) => r.students.some((p) => p.userId === ids[who]));
  const api = (path: string, init: RequestInit = {}, token = teacherToken) => client.api(path, token, init);

  beforeAll(async () => {
    t = await startTestApp();
    client = new LaunchClient(t);
    teacherToken = await client.launch('phys-101', 'dev-ada');
    sessionId = (
      (await (await api('/api/classroom/sessions', { method: 'POST' })).json()) as { session: { id: string } }
    ).session.id;
    await join('ada', teacherToken);
    await join('grace', await client.launch('phys-101', 'dev-grace'));
    await join('alan', await client.launch('phys-101', 'dev-alan'));
    await join('barbara', await client.launchAs('phys-101', 'Barbara Breakout'));
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  it('splits three students randomly into two balanced rooms; each student reaches only their own room', async () => {
    const state = await ok(people.ada, BreakoutEvents.open, { mode: 'random', rooms: 2 });
    expect(state.active).toBe(true);
    expect(state.rooms.map((r) => r.students.length).sort()).toEqual([1, 2]);
    expect(state.rooms.flatMap((r) => r.students.map((p) => p.name)).sort()).toEqual(
      ['Alan Turing', 'Barbara Breakout', 'Grace Hopper'].sort(),
    );
    // Everyone hears it (students find their room in the state and go there by themselves).
    for (const who of ['grace', 'alan', 'barbara'])
      await heard(people[who], BreakoutServerEvents.state, (s) => s.active);
    // A second split while rooms are open is refused.
    expect(await code(people.ada, BreakoutEvents.open, { mode: 'random', rooms: 3 })).toBe('BREAKOUTS_OPEN');

    for (const who of ['grace', 'alan', 'barbara']) {
      const mine = roomOf(state, who)!;
      const other = state.rooms.find((r) => r.id !== mine.id)!;
      expect(await code(people[who], BreakoutEvents.enter, { roomId: other.id }), `${who} into another room`).toBe(
        'NOT_PLACED',
      );
      const entered = await ok(people[who], BreakoutEvents.enter, { roomId: mine.id });
      expect(entered).toMatchObject({ roomId: mine.id, name: mine.name });
      // The class's people come with it (presence changes reach only the main room while one is away).
      expect(entered.participants.map((p) => p.userId).sort()).toEqual(Object.values(ids).sort());
      // Placed students stay in their room: not back to the main room on their own.
      expect(await code(people[who], BreakoutEvents.enter, { roomId: null })).toBe('PLACED_IN_BREAKOUT');
    }
    // Each room is a live room of its own: a child row of the class in Postgres.
    const rows = await t.db.query(`SELECT id FROM live_session WHERE parent_session_id = $1 AND ended_at IS NULL`, [
      sessionId,
    ]);
    expect(rows.map((r: { id: string }) => r.id).sort()).toEqual(state.rooms.map((r) => r.id).sort());
    // Still in the class for presence (and so for attendance): nobody left.
    const present = await t.app.get(PresenceService).participants(sessionId);
    expect(present.map((p) => p.userId).sort()).toEqual(Object.values(ids).sort());
  }, 60_000);

  it("chat and board are the room's own: a message and a stroke reach the room, not the main room or the other room", async () => {
    const state = await ok(people.ada, BreakoutEvents.sync);
    const pair = state.rooms.find((r) => r.students.length === 2)!;
    const [first, second] = pair.students.map((p) => Object.keys(ids).find((k) => ids[k] === p.userId)!);
    const alone = Object.keys(ids).find((k) => k !== 'ada' && k !== first && k !== second)!;
    const text = `in ${pair.name} ${crypto.randomUUID()}`;
    expect(await code(people[first], ClientEvents.chatSend, { clientId: crypto.randomUUID(), text })).toBe('OK');
    await people[second].waitFor('chat:message', (m) => m.text === text);
    expect(await code(people[first], 'wb:op', stroke(crypto.randomBytes(4).toString('hex')))).toBe('OK');
    await people[second].waitFor('wb:effects' as never);
    await new Promise((r) => setTimeout(r, 300));
    expect(people.ada.got('chat:message').some((m) => m.text === text)).toBe(false);
    expect(people[alone].got('chat:message').some((m) => m.text === text)).toBe(false);
    expect(people[alone].got('wb:effects' as never)).toHaveLength(0);
    const [row] = await t.db.query(`SELECT session_id FROM chat_message WHERE text = $1`, [text]);
    expect(row.session_id).toBe(pair.id);
  }, 30_000);

  it('the instructor visits a room (seen arriving), answers a help request there, moves a student, broadcasts a note', async () => {
    let state: BreakoutState = await ok(people.ada, BreakoutEvents.sync);
    const pair = state.rooms.find((r) => r.students.length === 2)!;
    const single = state.rooms.find((r) => r.students.length === 1)!;
    const asker = Object.keys(ids).find((k) => ids[k] === single.students[0].userId)!;
    // Help from a student in a room reaches the instructors with who and where.
    const asked = await ok(people[asker], BreakoutEvents.help);
    expect(asked).toMatchObject({ roomId: single.id, userId: ids[asker] });
    await heard(people.ada, BreakoutServerEvents.helpRequested, (h) => h.userId === ids[asker]);
    expect((await ok(people.ada, BreakoutEvents.sync)).help.map((h) => h.userId)).toEqual([ids[asker]]);
    expect(await code(people.ada, BreakoutEvents.help)).toBe('STUDENTS_ONLY');

    // The visit: the room hears the instructor arrive; the help request is answered.
    expect(await ok(people.ada, BreakoutEvents.enter, { roomId: single.id })).toMatchObject({ roomId: single.id });
    await heard(people[asker], BreakoutServerEvents.visitor, (v) => v.arrived && v.userId === ids.ada);
    state = await ok(people.ada, BreakoutEvents.sync);
    expect(state.help).toEqual([]);
    expect(state.rooms.find((r) => r.id === single.id)!.visitors.map((v) => v.userId)).toEqual([ids.ada]);
    const said = `teacher in ${single.name}`;
    expect(await code(people.ada, ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: said })).toBe('OK');
    await people[asker].waitFor('chat:message', (m) => m.text === said);

    // Move a student of the pair into the single room: their old room refuses them at once.
    const moved = Object.keys(ids).find((k) => ids[k] === pair.students[0].userId)!;
    state = await ok(people.ada, BreakoutEvents.move, { userId: ids[moved], roomId: single.id });
    expect(roomOf(state, moved)!.id).toBe(single.id);
    await heard(people[moved], BreakoutServerEvents.state, (s) => roomOf(s, moved)?.id === single.id);
    expect(await code(people[moved], ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'stale' })).toBe(
      'NOT_IN_BREAKOUT',
    );
    expect(await code(people[moved], 'wb:op', stroke(crypto.randomBytes(4).toString('hex')))).toBe('NOT_IN_BREAKOUT');
    expect(await ok(people[moved], BreakoutEvents.enter, { roomId: single.id })).toMatchObject({ roomId: single.id });
    expect((await ok(people[moved], BreakoutEvents.enter, { roomId: single.id })).chat.map((m) => m.text)).toContain(
      said,
    );

    // A note to every room at once (and the main room).
    expect(await ok(people.ada, BreakoutEvents.broadcast, { text: 'Five minutes left, wrap up' })).toEqual({
      rooms: 2,
    });
    for (const who of Object.keys(people))
      await heard(people[who], BreakoutServerEvents.note, (n) => n.text === 'Five minutes left, wrap up');
    expect(await code(people[moved], BreakoutEvents.broadcast, { text: 'x' })).toBe('TEACHER_ONLY');
  }, 60_000);

  it('the timer warns, then closes the rooms on time and brings everyone back; the rooms stay readable after', async () => {
    const state = await ok(people.ada, BreakoutEvents.timer, { durationSeconds: 5 });
    const endsAt = Date.parse(state.endsAt!);
    // Less than a minute: warned at once.
    for (const who of ['grace', 'alan']) await heard(people[who], BreakoutServerEvents.warning);
    const closed = await heard(people.grace, BreakoutServerEvents.state, (s) => !s.active);
    expect(closed.rooms).toEqual([]);
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt - 50);
    expect(Date.now() - endsAt).toBeLessThan(4000);
    // The rooms' rows ended: nothing more is written there, and the students go back to the main room.
    const open = await t.db.query(`SELECT 1 FROM live_session WHERE parent_session_id = $1 AND ended_at IS NULL`, [
      sessionId,
    ]);
    expect(open).toHaveLength(0);
    for (const who of ['grace', 'alan', 'barbara']) {
      expect(await code(people[who], ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'late' })).toBe(
        'NOT_IN_BREAKOUT',
      );
      expect(await ok(people[who], BreakoutEvents.enter, { roomId: null })).toMatchObject({ roomId: null });
    }
    expect(await ok(people.ada, BreakoutEvents.enter, { roomId: null })).toMatchObject({ roomId: null });
    const back = `back ${crypto.randomUUID()}`;
    expect(await code(people.grace, ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: back })).toBe('OK');
    await people.ada.waitFor('chat:message', (m) => m.text === back);

    // The split and the return are chapter marks of the class's recording (the rooms' names in the first).
    await waitFor(
      async () =>
        (
          await t.db.query(
            `SELECT 1 FROM recording_mark WHERE session_id = $1 AND kind IN ('breakouts', 'breakouts-end')`,
            [sessionId],
          )
        ).length >= 2,
      'breakout chapter marks',
    );
    const marks = await t.db.query(
      `SELECT kind, label FROM recording_mark WHERE session_id = $1 AND kind IN ('breakouts', 'breakouts-end') ORDER BY at`,
      [sessionId],
    );
    expect(marks[0].kind).toBe('breakouts');
    expect(marks[0].label).toMatch(/\w+, \w+/);
    expect(marks.at(-1).kind).toBe('breakouts-end');

    // After class (and during it, for instructors): each room's chat; boards saved for the saved-board page.
    const rooms = (await (await api(`/api/breakouts/sessions/${sessionId}/rooms`)).json()) as BreakoutRoomRecord[];
    expect(rooms).toHaveLength(2);
    expect(rooms.every((r) => r.closedAt)).toBe(true);
    expect(rooms.flatMap((r) => r.chat.map((m) => m.text)).some((x) => x.startsWith('in '))).toBe(true);
    await waitFor(
      async () =>
        ((await (await api(`/api/breakouts/sessions/${sessionId}/rooms`)).json()) as BreakoutRoomRecord[]).some(
          (r: BreakoutRoomRecord) => r.hasBoard,
        ),
      'a breakout board saved',
    );
  }, 60_000);

  it('plans are saved per course and reused: absent students skipped, a late joiner placed by the plan', async () => {
    const lateToken = await client.launchAs('phys-101', 'Late Lovelace');
    const planBody = {
      name: 'Lab pairs',
      rooms: [
        { name: 'Red', userIds: [ids.grace, ids.alan] },
        { name: 'Blue', userIds: [ids.barbara, crypto.randomUUID()] },
      ],
    };
    const created = (await (
      await api('/api/breakouts/plans', { method: 'POST', body: JSON.stringify(planBody) })
    ).json()) as BreakoutPlanView;
    expect(created).toMatchObject({ name: 'Lab pairs' });
    const listed = (await (await api('/api/breakouts/plans')).json()) as BreakoutPlanView[];
    expect(listed.map((p) => p.id)).toContain(created.id);
    const studentToken = await client.launch('phys-101', 'dev-grace');
    expect((await client.api('/api/breakouts/plans', studentToken)).status).toBe(403);
    expect(
      (await api('/api/breakouts/plans', { method: 'POST', body: JSON.stringify({ name: '', rooms: [] }) })).status,
    ).toBe(400);

    // Something on the main board: each room's board starts with a copy of the current page.
    expect(await code(people.ada, 'wb:op', stroke('main-copy'))).toBe('OK');
    const state = await ok(people.ada, BreakoutEvents.open, { mode: 'plan', planId: created.id, copyBoard: true });
    expect(state.rooms.map((r) => [r.name, r.students.map((p) => p.userId).sort()])).toEqual([
      ['Red', [ids.grace, ids.alan].sort()],
      ['Blue', [ids.barbara]],
    ]);
    // A student arriving after the split is placed when they sync: the smallest room (Blue).
    const late = await join('late', lateToken);
    const synced = await ok(late, BreakoutEvents.sync);
    const blue = synced.rooms.find((r) => r.name === 'Blue')!;
    expect(synced.mine).toBe(blue.id);
    expect(blue.students.map((p) => p.userId)).toContain(ids.late);
    expect(await ok(late, BreakoutEvents.enter, { roomId: blue.id })).toMatchObject({ roomId: blue.id });
    const board = await late.call<{ pages?: { pages: Record<string, { order: string[] }> }; entries: unknown[] }>(
      'wb:sync',
      { since: 0 },
    );
    expect(board.ok && JSON.stringify(board.data)).toContain('el-main-copy');
    await ok(people.ada, BreakoutEvents.recall);
    await heard(late, BreakoutServerEvents.state, (s) => !s.active);
  }, 60_000);

  it('ending the class closes its breakout rooms; the classroom still has one live class at a time', async () => {
    await ok(people.ada, BreakoutEvents.open, { mode: 'hand', rooms: [{ name: 'Solo', userIds: [ids.grace] }] });
    // The end lets every socket go a moment later; under load that may come before the ack.
    await people.ada.call(ClientEvents.teacherEndClass, {}).catch(() => null);
    await waitFor(
      async () =>
        (await t.db.query(`SELECT 1 FROM live_session WHERE parent_session_id = $1 AND ended_at IS NULL`, [sessionId]))
          .length === 0,
      'breakout rows ended with the class',
    );
    await people.grace.waitFor('room:ended');
    // A new class can start (the breakout rows never held the classroom's one-live-class index).
    const again = await api('/api/classroom/sessions', { method: 'POST' });
    expect(again.status).toBeLessThan(300);

    // A room's saved board is the class's: readable by its members, not by someone removed from the class.
    const rooms = (await (await api(`/api/breakouts/sessions/${sessionId}/rooms`)).json()) as BreakoutRoomRecord[];
    const withBoard = rooms.find((r) => r.hasBoard)!;
    const graceToken = await client.launch('phys-101', 'dev-grace');
    expect((await client.api(`/api/whiteboard/sessions/${withBoard.id}`, graceToken)).status).toBe(200);
    // The row the instructor's Remove writes (the removal itself is class-control's spec).
    await t.db.query(`INSERT INTO session_removal (session_id, user_id, removed_by) VALUES ($1, $2, $3)`, [
      sessionId,
      ids.grace,
      ids.ada,
    ]);
    expect((await client.api(`/api/whiteboard/sessions/${sessionId}`, graceToken)).status).toBe(404);
    expect((await client.api(`/api/whiteboard/sessions/${withBoard.id}`, graceToken)).status).toBe(404);
  }, 60_000);
});
