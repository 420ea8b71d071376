import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents, MAX_PAYLOAD_BYTES, RoomState, ServerEvents } from '../contracts/realtime';
import { SessionTokens } from '../platform/auth/session-token';
import { DomainEventMap, DomainEvents } from '../platform/domain-events';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';

describe('live room gateway (Socket.io, real Redis and Postgres)', () => {
  let t: TestApp;
  let launch: LaunchClient;
  let teacherToken: string;
  let studentToken: string;
  let sessionId: string;
  const clients: RoomClient[] = [];
  const client = (token: string | null) => {
    const c = new RoomClient(t.url, token);
    clients.push(c);
    return c;
  };
  const joined = async (token: string) => {
    const c = client(token);
    await c.connected();
    const ack = await c.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    return { c, state: ack.data as RoomState };
  };

  beforeAll(async () => {
    t = await startTestApp();
    launch = new LaunchClient(t);
    teacherToken = await launch.launch('phys-101', 'dev-ada');
    studentToken = await launch.launch('phys-101', 'dev-grace');
    const started = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    sessionId = started.session.id;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  it('refuses sockets without a valid session token', async () => {
    expect(await client(null).refused()).toBe('UNAUTHENTICATED');
    expect(await client('garbage').refused()).toBe('SESSION_INVALID');
    const expired = await new SessionTokens(t.config.sessionSecret, t.config.publicUrl, -120).issue({
      userId: crypto.randomUUID(),
      platformId: 'p',
      deploymentId: 'd',
      courseId: 'c',
      activityId: 'a',
      role: 'learner',
      name: 'X',
    });
    expect(await client(expired.token).refused()).toBe('SESSION_EXPIRED');
  });

  it('joins teacher and student; each sees the other, and chat goes both ways', async () => {
    const { c: teacher, state } = await joined(teacherToken);
    expect(state.me).toMatchObject({ role: 'instructor', canTeach: true });
    const { c: student, state: sState } = await joined(studentToken);
    expect(sState.participants.map((p) => p.name)).toEqual(['Ada Lovelace', 'Grace Hopper']);
    const arrived = await teacher.waitFor(ServerEvents.joined, (p) => p.name === 'Grace Hopper');
    expect(arrived.role).toBe('learner');

    const sent = await student.emit(ClientEvents.chatSend, {
      clientId: crypto.randomUUID(),
      text: 'Hello <b>class</b>',
    });
    expect(sent.ok).toBe(true);
    expect((await teacher.waitFor(ServerEvents.chatMessage, (m) => m.authorName === 'Grace Hopper')).text).toBe(
      'Hello <b>class</b>',
    );
    await teacher.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'Welcome, Grace' });
    await student.waitFor(ServerEvents.chatMessage, (m) => m.text === 'Welcome, Grace');

    await student.emit(ClientEvents.hand, { raised: true });
    expect(
      (await teacher.waitFor(ServerEvents.updated, (p) => p.name === 'Grace Hopper' && p.handRaised)).handRaised,
    ).toBe(true);
    student.close();
    await teacher.waitFor(ServerEvents.left);
  });

  it('delivers a message resent after a reconnect once, and gives recent history on join', async () => {
    const { c: teacher } = await joined(teacherToken);
    const { c: student } = await joined(studentToken);
    const clientId = crypto.randomUUID();
    const first = await student.emit(ClientEvents.chatSend, { clientId, text: 'sent during a blip' });
    const again = await student.emit(ClientEvents.chatSend, { clientId, text: 'sent during a blip' });
    expect(first.ok && again.ok && first.data.id === again.data.id).toBe(true);
    await teacher.waitFor(ServerEvents.chatMessage, (m) => m.clientId === clientId);
    await new Promise((r) => setTimeout(r, 200));
    expect(teacher.got(ServerEvents.chatMessage).filter((m) => m.clientId === clientId)).toHaveLength(1);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM chat_message WHERE client_id = $1`, [clientId]);
    expect(n).toBe(1);
    const { state } = await joined(studentToken);
    expect(state.chat.map((m) => m.text)).toContain('sent during a blip');
  });

  it('answers bad payloads with a code and keeps the socket up, storing nothing', async () => {
    const { c } = await joined(studentToken);
    const [{ n: before }] = await t.db.query(`SELECT count(*)::int AS n FROM chat_message`);
    const bad = [
      await c.emit(ClientEvents.chatSend, 'not an object'),
      await c.emit(ClientEvents.chatSend, { clientId: 'nope', text: 'x' }),
      await c.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'x'.repeat(1001) }),
      await c.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: '   ' }),
      await c.emit(ClientEvents.join, { sessionId: 'not-a-uuid' }),
    ];
    for (const a of bad) expect(a).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    const big = await c.emit(ClientEvents.chatSend, {
      clientId: crypto.randomUUID(),
      text: 'x',
      pad: 'y'.repeat(MAX_PAYLOAD_BYTES + 10),
    });
    expect(big).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    const unknownRoom = await c.emit(ClientEvents.join, { sessionId: crypto.randomUUID() });
    expect(unknownRoom).toMatchObject({ ok: false, error: { code: 'SESSION_NOT_FOUND' } });
    expect(c.socket.connected).toBe(true);
    const [{ n: after }] = await t.db.query(`SELECT count(*)::int AS n FROM chat_message`);
    expect(after).toBe(before);
  });

  it('rate-limits a flood of messages', async () => {
    const { c } = await joined(studentToken);
    const acks = [];
    for (let i = 0; i < 8; i++)
      acks.push(await c.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: `flood ${i}` }));
    const limited = acks.filter((a) => !a.ok);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    for (const a of limited) expect(a).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM chat_message WHERE text LIKE 'flood %'`);
    expect(n).toBe(acks.length - limited.length);
    expect(c.socket.connected).toBe(true);
  });

  it('announces participant.joined and participant.left to the other modules', async () => {
    const seen: Array<{ name: string; e: DomainEventMap['participant.joined'] | DomainEventMap['participant.left'] }> =
      [];
    const events = t.app.get(DomainEvents);
    const subs = [
      events.on('participant.joined').subscribe((e) => seen.push({ name: 'joined', e })),
      events.on('participant.left').subscribe((e) => seen.push({ name: 'left', e })),
    ];
    const alan = await launch.launch('phys-101', 'dev-alan');
    const { c, state } = await joined(alan);
    c.close();
    await waitFor(
      async () => seen.some((s) => s.name === 'left' && s.e.userId === state.me.userId),
      'participant.left',
    );
    const mine = seen.filter((s) => s.e.userId === state.me.userId);
    expect(mine.map((s) => s.name)).toEqual(['joined', 'left']);
    expect(mine[0].e).toMatchObject({ sessionId, role: 'learner' });
    expect(mine[1].e).toMatchObject({ sessionId, reason: 'disconnected' });
    subs.forEach((x) => x.unsubscribe());
  });

  it('counts a person with two tabs once: arrives with the first, leaves with the last', async () => {
    const { c: teacher } = await joined(teacherToken);
    // Alan is not in the room yet (Grace still is, from earlier tests).
    const alan = await launch.launch('phys-101', 'dev-alan');
    const [tab1, tab2] = await Promise.all([joined(alan), joined(alan)]);
    await teacher.waitFor(ServerEvents.joined, (p) => p.userId === tab1.state.me.userId);
    const { state } = await joined(teacherToken);
    expect(state.participants.filter((p) => p.userId === tab1.state.me.userId)).toHaveLength(1);
    tab1.c.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(teacher.got(ServerEvents.left).filter((l) => l.userId === tab1.state.me.userId)).toHaveLength(0);
    tab2.c.close();
    await teacher.waitFor(ServerEvents.left, (l) => l.userId === tab1.state.me.userId);
    expect(teacher.got(ServerEvents.joined).filter((p) => p.userId === tab1.state.me.userId)).toHaveLength(1);
  });

  it('refuses teacher actions from a student', async () => {
    const { c: student, state } = await joined(studentToken);
    const teacherId = state.participants.find((p) => p.role === 'instructor')?.userId ?? crypto.randomUUID();
    for (const [event, payload] of [
      [ClientEvents.teacherMute, { userId: teacherId }],
      [ClientEvents.teacherRemove, { userId: teacherId }],
      [ClientEvents.teacherEndClass, {}],
      [ClientEvents.chatDelete, { messageId: crypto.randomUUID() }],
    ] as const) {
      expect(await student.emit(event, payload)).toMatchObject({ ok: false, error: { code: 'TEACHER_ONLY' } });
    }
  });

  it('lets the teacher mute a student and remove one, who cannot come back', async () => {
    const { c: teacher } = await joined(teacherToken);
    const alan = await launch.launch('phys-101', 'dev-alan');
    const { c: student, state } = await joined(alan);
    const alanId = state.me.userId;
    expect(await teacher.emit(ClientEvents.teacherMute, { userId: alanId })).toMatchObject({ ok: true });
    await student.waitFor(ServerEvents.muted);
    expect(await teacher.emit(ClientEvents.teacherRemove, { userId: alanId })).toMatchObject({ ok: true });
    await student.waitFor(ServerEvents.removed);
    await new Promise<void>((r) => (student.socket.connected ? student.socket.once('disconnect', () => r()) : r()));
    const back = client(alan);
    await back.connected();
    expect(await back.emit(ClientEvents.join, { sessionId })).toMatchObject({
      ok: false,
      error: { code: 'REMOVED_FROM_CLASS' },
    });
  });

  it('keeps another course out of this class', async () => {
    const other = await launch.launch('hist-210', 'dev-katherine');
    const c = client(other);
    await c.connected();
    expect(await c.emit(ClientEvents.join, { sessionId })).toMatchObject({
      ok: false,
      error: { code: 'SESSION_NOT_FOUND' },
    });
  });

  it('ends the class for everyone also when it is ended from the lobby', async () => {
    const other = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    expect(other.session.id).toBe(sessionId); // the same live class
    const { c: student } = await joined(studentToken);
    const res = await launch.api(`/api/classroom/sessions/${sessionId}/end`, teacherToken, { method: 'POST' });
    expect(res.status).toBe(200);
    await student.waitFor(ServerEvents.ended);
    await waitFor(async () => !student.socket.connected, 'the student let go');
    const chat = client(studentToken);
    await chat.connected();
    expect(await chat.emit(ClientEvents.join, { sessionId })).toMatchObject({
      ok: false,
      error: { code: 'CLASS_ENDED' },
    });
    // A new class for the rest of the tests.
    const next = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    sessionId = next.session.id;
  });

  it('ends the class for everyone', async () => {
    const { c: teacher } = await joined(teacherToken);
    const { c: student } = await joined(studentToken);
    expect(await teacher.emit(ClientEvents.teacherEndClass, {})).toMatchObject({ ok: true });
    await student.waitFor(ServerEvents.ended);
    const again = client(studentToken);
    await again.connected();
    expect(await again.emit(ClientEvents.join, { sessionId })).toMatchObject({
      ok: false,
      error: { code: 'CLASS_ENDED' },
    });
  });
});
