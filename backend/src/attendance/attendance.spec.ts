import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttendanceEvents,
  type AttendanceSettingsView,
  type CourseReport,
  type SessionReport,
} from '../contracts/attendance';
import { ClientEvents } from '../contracts/realtime';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { AttendanceService } from './attendance.service';

const ADMIN_TOKEN = 'admin-token-for-attendance-tests-0123';

/** One app, real Postgres and Redis, real sockets: tabs, a hidden tab, a tab closed while visible, the class ending while connected. */
describe('attendance in one class (real sockets, Postgres, Redis)', () => {
  let t: TestApp;
  let client: LaunchClient;
  let attendance: AttendanceService;
  let teacher: string;
  let grace: string;
  let alan: string;
  const clients: RoomClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN });
    client = new LaunchClient(t);
    attendance = t.app.get(AttendanceService);
    teacher = await client.launch('phys-101', 'dev-ada');
    grace = await client.launch('phys-101', 'dev-grace');
    alan = await client.launch('phys-101', 'dev-alan');
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
    return c;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const json = async <T>(path: string, token = teacher) => {
    const res = await client.api(path, token);
    return { status: res.status, body: (await res.json()) as T };
  };

  it('merges two tabs, counts a tab closed while visible as hidden from then, and ends open spans with the class', async () => {
    const sessionId = (
      (await (await client.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    // Not in the room: the gate refuses the event.
    const outside = new RoomClient(t.url, grace);
    clients.push(outside);
    await outside.connected();
    const refused = await outside.call(AttendanceEvents.visibility, { visible: true });
    expect(refused.ok ? 'OK' : refused.error.code).toBe('NOT_IN_ROOM');

    await join(teacher, sessionId);
    // Grace: two tabs; the second is visible, the first hidden (reported after, so one tab is always visible).
    // The bounds below are measured on the test's own clock, not assumed: a loaded machine only stretches them.
    const graceFrom = Date.now();
    const g1 = await join(grace, sessionId);
    const g2 = await join(grace, sessionId);
    await g2.call(AttendanceEvents.visibility, { visible: true });
    const graceUnreportedMs = Date.now() - graceFrom; // the most she can have been in before a visible report
    await g1.call(AttendanceEvents.visibility, { visible: false });
    // Alan: one tab, visible, then closed (the tab's visibility ends with it), then back, hidden.
    const a1 = await join(alan, sessionId);
    const alanFrom = Date.now();
    await a1.call(AttendanceEvents.visibility, { visible: true });
    await sleep(400);
    a1.close();
    await sleep(400);
    const a2 = await join(alan, sessionId);
    const alanVisibleAtMostMs = Date.now() - alanFrom; // the first tab's visible time lies inside this
    await a2.call(AttendanceEvents.visibility, { visible: false });
    // Long enough that Alan's share active is under half, and Grace's over, whatever the joins took.
    await sleep(Math.max(800, 2 * alanVisibleAtMostMs, 2 * graceUnreportedMs));

    const live = await json<{ students: Array<{ name: string; here: boolean; inactive: boolean }> }>(
      '/api/attendance/live',
    );
    expect(live.body.students.map((s) => [s.name, s.here, s.inactive])).toEqual([
      ['Alan Turing', true, true],
      ['Grace Hopper', true, false],
    ]);
    // A student may not see it.
    expect((await client.api('/api/attendance/live', grace)).status).toBe(403);

    expect((await client.api(`/api/classroom/sessions/${sessionId}/end`, teacher, { method: 'POST' })).ok).toBe(true);
    await attendance.settled();
    const spans = (await t.db.query(
      `SELECT u.name, s.left_reason FROM attendance_span s JOIN lti_user u ON u.id = s.user_id WHERE s.session_id = $1 AND s.left_at IS NULL`,
      [sessionId],
    )) as unknown[];
    expect(spans).toEqual([]);

    const report = await waitFor(async () => {
      const r = await json<SessionReport>(`/api/attendance/sessions/${sessionId}/report`);
      return r.body.endedAt ? r.body : null;
    }, 'the ended report');
    const row = (name: string) => report.rows.find((r) => r.name === name)!;
    // Grace was present all along (two tabs merged: present no more than the class) and active (a visible tab).
    expect(row('Grace Hopper').presentMs).toBeLessThanOrEqual(report.durationMs);
    expect(row('Grace Hopper').activeMs).toBeGreaterThanOrEqual(row('Grace Hopper').presentMs - graceUnreportedMs);
    expect(row('Grace Hopper').status).toBe('present');
    // Connected when the class ended: her last leave is the end, not early.
    expect(row('Grace Hopper').lastLeave).toBe(report.endedAt);
    // Alan: active only while his first tab was open; the reconnect gap is not present.
    const alanRow = row('Alan Turing');
    expect(alanRow.activeMs).toBeGreaterThan(200);
    expect(alanRow.activeMs).toBeLessThan(alanVisibleAtMostMs);
    expect(alanRow.presentMs).toBeLessThan(report.durationMs - 300);
    expect(alanRow.status).toBe('inactive');
    expect(report.thresholds).toEqual({
      lateAfterMinutes: 10,
      leftEarlyMinutes: 10,
      minActiveMinutes: null,
      minActivePercent: 50,
    });

    // The course report over today (UTC: no zone stored for the course) holds the class.
    const today = new Date().toISOString().slice(0, 10);
    const course = await json<CourseReport>(`/api/attendance/report?from=${today}&to=${today}`);
    expect(course.status).toBe(200);
    expect(course.body.timeZone).toBe('UTC');
    expect(course.body.sessions.map((s) => s.sessionId)).toContain(sessionId);
    const alanCourse = course.body.students.find((s) => s.name === 'Alan Turing')!;
    expect(alanCourse.counts.inactive).toBeGreaterThanOrEqual(1);
    const bad = await json<{ error: { code: string } }>(`/api/attendance/report?from=${today}&to=2000-01-01`);
    expect(bad.status).toBe(400);
    expect((await client.api('/api/attendance/sessions/not-a-uuid/report', teacher)).status).toBe(400);
  }, 60_000);

  it('grades a class whose end it never heard (the instance that ended it died): the catch-up closes its spans and records it', async () => {
    const sessionId = (
      (await (await client.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    await join(grace, sessionId);
    await waitFor(
      async () =>
        ((await t.db.query(`SELECT 1 FROM attendance_span WHERE session_id = $1`, [sessionId])) as unknown[]).length ===
        1,
      'the span',
    );
    // Ended behind the module's back (no session.ended event).
    await t.db.query(`UPDATE live_session SET ended_at = now() WHERE id = $1`, [sessionId]);
    expect(await attendance.catchUp()).toBeGreaterThanOrEqual(1);
    const rows = (await t.db.query(
      `SELECT g.status, s.left_reason FROM attendance_grade g JOIN attendance_span s ON s.session_id = g.session_id AND s.user_id = g.user_id WHERE g.session_id = $1`,
      [sessionId],
    )) as Array<{ status: string; left_reason: string }>;
    // Joined some milliseconds into a class of some milliseconds: present but perhaps under 50 % active.
    expect(rows).toHaveLength(1);
    expect(rows[0].left_reason).toBe('ended');
    expect(rows[0].status).not.toBe('absent');
    expect(await attendance.catchUp()).toBe(0);
  });

  it('keeps classroom thresholds that override the platform default, and refuses bad ones', async () => {
    const put = (body: unknown) =>
      client.api('/api/attendance/classroom/settings', teacher, { method: 'PUT', body: JSON.stringify(body) });
    const thresholds = { lateAfterMinutes: 5, leftEarlyMinutes: 0, minActiveMinutes: 20, minActivePercent: null };
    const ok = await put({ thresholds, gradingMode: 'threshold', autoGrade: true });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ classroom: thresholds, effective: thresholds, gradingMode: 'threshold' });
    expect(
      (await put({ thresholds: { ...thresholds, minActivePercent: 101 }, gradingMode: 'percent', autoGrade: true }))
        .status,
    ).toBe(400);
    expect((await put({ thresholds: null, gradingMode: 'x', autoGrade: true })).status).toBe(400);
    // The platform default needs an administrator.
    const admin = await client.api('/api/attendance/settings', teacher, {
      method: 'PUT',
      body: JSON.stringify({ thresholds }),
    });
    expect(admin.status).toBe(403);
  });

  it("reports in the course's time zone: the platform's default (set by the operator) until the instructor sets one", async () => {
    const settings = async () =>
      (await (await client.api('/api/attendance/classroom/settings', teacher)).json()) as AttendanceSettingsView;
    expect(await settings()).toMatchObject({ timeZone: 'UTC', courseTimeZone: null, platformTimeZone: null });

    // The operator's console: a platform's default thresholds and zone (ADMIN_TOKEN, not an LTI session).
    const admin = (path: string, init: RequestInit = {}, token = ADMIN_TOKEN) =>
      fetch(`${t.url}/api/admin/platforms${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    const platforms = (await (await admin('')).json()) as Array<{ id: string; issuer: string }>;
    const platformId = platforms.find((p) => p.issuer === t.platformUrl)!.id;
    const defaults = { lateAfterMinutes: 3, leftEarlyMinutes: 5, minActiveMinutes: null, minActivePercent: 40 };
    const put = (body: unknown, id = platformId, token = ADMIN_TOKEN) =>
      admin(`/${id}/attendance`, { method: 'PUT', body: JSON.stringify(body) }, token);
    expect((await put({ thresholds: defaults, timeZone: 'Asia/Tokyo' }, platformId, 'wrong-token')).status).toBe(401);
    expect((await put({ thresholds: defaults, timeZone: 'Mars/Olympus_Mons' })).status).toBe(400);
    expect((await put({ thresholds: defaults, timeZone: null }, '00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
    const saved = await put({ thresholds: defaults, timeZone: 'asia/tokyo' });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ thresholds: defaults, timeZone: 'Asia/Tokyo' });
    expect(await settings()).toMatchObject({
      timeZone: 'Asia/Tokyo',
      courseTimeZone: null,
      platformTimeZone: 'Asia/Tokyo',
      platform: defaults,
    });

    // The instructor's own zone wins; students may not set it; a zone Intl does not know is refused.
    const zone = (body: unknown, token = teacher) =>
      client.api('/api/attendance/course/time-zone', token, { method: 'PUT', body: JSON.stringify(body) });
    expect((await zone({ timeZone: 'America/New_York' }, grace)).status).toBe(403);
    const refused = await zone({ timeZone: 'New York' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
    expect((await zone({ timeZone: 'america/new_york' })).status).toBe(200);
    expect(await settings()).toMatchObject({ timeZone: 'America/New_York', courseTimeZone: 'America/New_York' });

    // A finished class's report, its CSV and the course report use it.
    const [{ id: sessionId }] = await t.db.query(
      `SELECT id FROM live_session WHERE ended_at IS NOT NULL ORDER BY started_at LIMIT 1`,
    );
    const report = (await (
      await client.api(`/api/attendance/sessions/${sessionId}/report`, teacher)
    ).json()) as SessionReport;
    expect(report.timeZone).toBe('America/New_York');
    const csv = await (await client.api(`/api/attendance/exports/sessions/${sessionId}?format=csv`, teacher)).text();
    const [header, ...lines] = csv.trim().split('\n');
    expect(header).toContain('first_join (America/New_York)');
    const first = report.rows.find((r) => r.firstJoin)!;
    const local = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'America/New_York',
      dateStyle: 'short',
      timeStyle: 'short',
    }).format(new Date(first.firstJoin!));
    expect(lines.find((l) => l.startsWith(first.name.includes(',') ? `"${first.name}` : first.name))).toContain(local);

    // Cleared: back to the platform's default.
    expect((await zone({ timeZone: null })).status).toBe(200);
    expect((await settings()).timeZone).toBe('Asia/Tokyo');
  });
});
