import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestEnterResponse, GuestLinkCreated, GuestLinkInfo } from '../contracts/class-control';
import { ClientEvents, RoomState } from '../contracts/realtime';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { guestLinkKey, signGuestLink } from './domain/guest-link';

/**
 * Guests by invite link, with real Postgres and Redis: links signed, expiring, single use or not,
 * revocable; a guest enters with a name, waits when the link says so, and reaches only their class: every
 * REST route but the class's own is refused, every socket event whose rule does not let guests in too.
 * Revoking the link ends their session (sockets let go, token refused). Never enrolled, never in attendance.
 */
describe('guests by invite link', () => {
  let t: TestApp;
  let launch: LaunchClient;
  let teacherToken: string;
  let studentToken: string;
  let sessionId: string;
  let teacher: RoomClient;
  const clients: RoomClient[] = [];

  const client = async (token: string) => {
    const c = new RoomClient(t.url, token);
    clients.push(c);
    await c.connected();
    return c;
  };
  const post = async <T>(path: string, body: unknown, token: string | null = null) => {
    const res = await launch.api(path, token, { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as T & { error?: { code: string } } };
  };
  const tokenOf = (url: string) => url.slice(url.indexOf('#') + 1);
  const makeLink = async (opts: Partial<{ singleUse: boolean; needsAdmission: boolean; label: string }> = {}) => {
    const r = await post<GuestLinkCreated>(
      '/api/classroom/guest-links',
      { expiresInMinutes: 60, singleUse: false, needsAdmission: true, ...opts },
      teacherToken,
    );
    expect(r.status).toBe(201);
    return r.body;
  };

  beforeAll(async () => {
    t = await startTestApp();
    launch = new LaunchClient(t);
    teacherToken = await launch.launch('phys-101', 'dev-ada');
    studentToken = await launch.launch('phys-101', 'dev-grace');
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  it('links are made by instructors only; forged, expired, revoked and used links are refused with a code', async () => {
    expect(
      (
        await post(
          '/api/classroom/guest-links',
          { expiresInMinutes: 60, singleUse: false, needsAdmission: true },
          studentToken,
        )
      ).body.error?.code,
    ).toBe('TEACHER_ONLY');
    expect(
      (
        await post(
          '/api/classroom/guest-links',
          { expiresInMinutes: 5, singleUse: false, needsAdmission: true },
          teacherToken,
        )
      ).status,
    ).toBe(400);
    const { url, link } = await makeLink({ label: 'Guest speaker' });
    expect(url).toMatch(new RegExp(`^${t.url}/guest#`));
    const token = tokenOf(url);
    const info = await post<GuestLinkInfo>('/api/guest/link', { token });
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ live: false, needsAdmission: true, classroomTitle: expect.any(String) });

    // Forged: another key, a flipped signature character, claims edited.
    const wrongKey = await signGuestLink(
      guestLinkKey('x'.repeat(40)),
      { linkId: link.id, activityId: crypto.randomUUID(), courseId: crypto.randomUUID() },
      new Date(Date.now() + 3600_000),
    );
    const [h, p, s] = token.split('.');
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    const edited = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), jti: crypto.randomUUID() })).toString('base64url')}.${s}`;
    for (const forged of [wrongKey, flipped, edited]) {
      const r = await post('/api/guest/enter', { token: forged, name: 'Mallory' });
      expect(r, forged).toMatchObject({ status: 401, body: { error: { code: 'GUEST_LINK_INVALID' } } });
    }
    // Expired: by its signed expiry, and by its row.
    const key = guestLinkKey(t.config.sessionSecret);
    const [row] = await t.db.query(`SELECT activity_id, course_id FROM guest_link WHERE id = $1`, [link.id]);
    const stale = await signGuestLink(
      key,
      { linkId: link.id, activityId: row.activity_id, courseId: row.course_id },
      new Date(Date.now() - 1000),
    );
    expect(await post('/api/guest/enter', { token: stale, name: 'Late' })).toMatchObject({
      status: 410,
      body: { error: { code: 'GUEST_LINK_EXPIRED' } },
    });
    const short = await makeLink();
    await t.db.query(`UPDATE guest_link SET expires_at = now() - interval '1 second' WHERE id = $1`, [short.link.id]);
    expect((await post('/api/guest/link', { token: tokenOf(short.url) })).body.error?.code).toBe('GUEST_LINK_EXPIRED');
    // Bad names and payloads.
    for (const name of ['   ', '\u202eevil', 'x'.repeat(61), '\u0000', '...'])
      expect((await post('/api/guest/enter', { token, name })).status, JSON.stringify(name)).toBe(400);
    expect((await post('/api/guest/enter', { token: 'not a token', name: 'A' })).status).toBe(400);
    // No class live yet.
    expect((await post('/api/guest/enter', { token, name: 'Early Guest' })).body.error?.code).toBe('CLASS_NOT_LIVE');
    // Revoked (by an instructor only).
    const revokable = await makeLink();
    expect(
      (await launch.api(`/api/classroom/guest-links/${revokable.link.id}/revoke`, studentToken, { method: 'POST' }))
        .status,
    ).toBe(403);
    expect(
      (await launch.api(`/api/classroom/guest-links/${revokable.link.id}/revoke`, teacherToken, { method: 'POST' }))
        .status,
    ).toBe(200);
    expect((await post('/api/guest/link', { token: tokenOf(revokable.url) })).body.error?.code).toBe(
      'GUEST_LINK_REVOKED',
    );
    const listed = (await (await launch.api('/api/classroom/guest-links', teacherToken)).json()) as Array<{
      id: string;
    }>;
    expect(listed.map((l) => l.id)).toEqual(expect.arrayContaining([link.id, revokable.link.id]));
  }, 60_000);

  it('a guest enters with a name, waits, is admitted, chats, reaches nothing else (REST and socket); revoking the link ends the session everywhere', async () => {
    const started = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    sessionId = started.session.id;
    teacher = await client(teacherToken);
    expect((await teacher.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    const { url, link } = await makeLink({ singleUse: true });
    const entered = await post<GuestEnterResponse>('/api/guest/enter', {
      token: tokenOf(url),
      name: '  Dr.   Guest  ',
    });
    expect(entered.status).toBe(200);
    expect(entered.body).toMatchObject({ landing: 'guest', sessionId });
    const guestToken = entered.body.token;
    // Single use: the second person is refused.
    expect((await post('/api/guest/enter', { token: tokenOf(url), name: 'Second' })).body.error?.code).toBe(
      'GUEST_LINK_USED',
    );

    // REST: only the class's own routes.
    for (const path of [
      '/api/lobby',
      '/api/roster',
      '/api/grades',
      '/api/whiteboard/sessions',
      '/api/attendance/live',
      `/api/classroom/sessions/${sessionId}/summary`,
      '/api/classroom/guest-links',
      '/api/quiz/questions',
    ]) {
      const res = await launch.api(path, guestToken);
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe('GUEST_NOT_ALLOWED');
    }
    expect((await launch.api('/api/session/refresh', guestToken, { method: 'POST' })).status).toBe(403);
    expect((await launch.api('/api/media/ice-servers', guestToken)).status).toBe(200);
    const refreshed = await post<GuestEnterResponse>('/api/guest/refresh', {}, guestToken);
    expect(refreshed).toMatchObject({ status: 200, body: { sessionId, landing: 'guest' } });

    // Socket: another class is not theirs; their own needs admission.
    const otherTeacher = await launch.launch('hist-210', 'dev-ada');
    const other = (await (await launch.api('/api/classroom/sessions', otherTeacher, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    const guest = await client(guestToken);
    expect(await guest.emit(ClientEvents.join, { sessionId: other.session.id })).toMatchObject({
      ok: false,
      error: { code: 'SESSION_NOT_FOUND' },
    });
    expect(await guest.emit(ClientEvents.join, { sessionId })).toMatchObject({
      ok: false,
      error: { code: 'WAITING_FOR_ADMISSION' },
    });
    const waiting = await teacher.waitFor('waiting:list', (p) => p.waiting.some((w) => w.name === 'Dr. Guest'));
    const guestId = waiting.waiting.find((w) => w.name === 'Dr. Guest')!.userId;
    expect(waiting.waiting.find((w) => w.userId === guestId)!.role).toBe('guest');
    await teacher.call(ClientEvents.teacherAdmit, { userIds: [guestId] });
    await guest.waitFor('waiting:admitted');
    const state = (await guest.emit(ClientEvents.join, { sessionId })) as { ok: true; data: RoomState };
    expect(state.ok).toBe(true);
    expect(state.data.me).toMatchObject({ role: 'guest', canTeach: false });
    const seen = await teacher.waitFor('presence:joined', (p) => p.userId === guestId);
    expect(seen).toMatchObject({ name: 'Dr. Guest', role: 'guest' });

    const said = await guest.call(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'Hello class' });
    expect(said).toMatchObject({ ok: true, data: { authorRole: 'guest', authorName: 'Dr. Guest' } });
    expect((await guest.call('wb:sync', { since: 0 })).ok).toBe(true);
    // Everything else: instructor events, drawing, quizzes, attendance reports.
    const refused: Array<[string, unknown]> = [
      [ClientEvents.teacherMute, { userId: guestId }],
      [ClientEvents.teacherEndClass, {}],
      [ClientEvents.teacherLocks, { mic: true }],
      [ClientEvents.teacherAdmit, { userIds: [guestId] }],
      [ClientEvents.chatDelete, { messageId: crypto.randomUUID() }],
      ['media:set-policy', { studentScreenShare: true }],
      ['wb:op', { type: 'clear-page', opId: 'guest-op', page: 'page-1' }],
      ['wb:permissions', { mode: 'everyone' }],
      ['quiz:sync', {}],
      [
        'quiz:answer',
        { quizId: crypto.randomUUID(), questionId: crypto.randomUUID(), answer: { type: 'true_false', value: true } },
      ],
      ['attendance:visibility', { visible: false }],
    ];
    for (const [event, payload] of refused)
      expect(await guest.call(event, payload), event).toMatchObject({
        ok: false,
        error: { code: 'GUEST_NOT_ALLOWED' },
      });
    // Never a student: no enrolment, no attendance span.
    expect(await t.db.query(`SELECT 1 FROM enrolment WHERE user_id = $1`, [guestId])).toHaveLength(0);
    expect(await t.db.query(`SELECT 1 FROM attendance_span WHERE user_id = $1`, [guestId])).toHaveLength(0);

    // Revoked: let go at once, the token refused on REST and socket from then on.
    const revoked = await launch.api(`/api/classroom/guest-links/${link.id}/revoke`, teacherToken, { method: 'POST' });
    expect(revoked.status).toBe(200);
    await waitFor(() => !guest.socket.connected, "the revoked guest's socket is let go");
    await teacher.waitFor('presence:left', (p) => p.userId === guestId);
    expect(await new RoomClient(t.url, guestToken).refused()).toBe('GUEST_ENDED');
    const after = await launch.api('/api/media/ice-servers', guestToken);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe('GUEST_ENDED');
    const [ended] = await t.db.query(`SELECT ended_reason FROM class_guest WHERE user_id = $1`, [guestId]);
    expect(ended.ended_reason).toBe('revoked');
  }, 60_000);

  it('a guest without admission goes straight in, is gone when the class ends; a removed guest cannot come back', async () => {
    const { url } = await makeLink({ needsAdmission: false });
    const a = await post<GuestEnterResponse>('/api/guest/enter', { token: tokenOf(url), name: 'Ada Guest' });
    const b = await post<GuestEnterResponse>('/api/guest/enter', { token: tokenOf(url), name: 'Bob Guest' });
    const ga = await client(a.body.token);
    const gb = await client(b.body.token);
    const ja = (await ga.emit(ClientEvents.join, { sessionId })) as { ok: true; data: RoomState };
    expect(ja.ok).toBe(true);
    expect((await gb.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    expect((await teacher.emit(ClientEvents.teacherRemove, { userId: ja.data.me.userId })).ok).toBe(true);
    await waitFor(() => !ga.socket.connected, 'the removed guest is let go');
    expect(await new RoomClient(t.url, a.body.token).refused()).toBe('GUEST_ENDED');

    await launch.api(`/api/classroom/sessions/${sessionId}/end`, teacherToken, { method: 'POST' });
    await waitFor(() => !gb.socket.connected, 'the class ended: the guest is let go');
    await waitFor(
      async () =>
        (await t.db.query(`SELECT 1 FROM class_guest WHERE session_id = $1 AND ended_at IS NULL`, [sessionId]))
          .length === 0,
      "every guest's access ended with the class",
    );
    expect(await new RoomClient(t.url, b.body.token).refused()).toBe('GUEST_ENDED');
    const summary = (await (await launch.api(`/api/classroom/sessions/${sessionId}/summary`, teacherToken)).json()) as {
      people: Array<{ name: string; role: string }>;
      boardPath: string;
      durationMs: number;
    };
    expect(summary.people).toEqual(expect.arrayContaining([{ name: 'Bob Guest', role: 'guest' }]));
    expect(summary.boardPath).toBe(`/board/${sessionId}`);
    expect(summary.durationMs).toBeGreaterThan(0);
  }, 60_000);
});
