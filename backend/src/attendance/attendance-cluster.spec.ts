import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttendanceEvents, type SessionReport } from '../contracts/attendance';
import { ClientEvents } from '../contracts/realtime';
import { Cluster, startCluster } from '../testing/cluster';
import { RoomClient } from '../testing/room-client';
import { waitFor } from '../testing/wait-for';

const TTL_MS = 1500; // the cluster's PRESENCE_TTL_MS

/**
 * Two real backend processes on one Redis and one Postgres. A student pinned to instance A is in class
 * when A is killed with SIGKILL: her span ends when A died (its last heartbeat), not when the sweep
 * noticed. The class then ends on B with the LMS gradebook down: the attendance grades wait in the outbox
 * and arrive once, when it is back; the instructor's manual grade is kept.
 */
describe('attendance across two backend instances', () => {
  const clients: RoomClient[] = [];
  let cluster: Cluster;
  let db: Client;
  let sessionId: string;
  let teacher: string;
  let grace: string;
  let alan: string;

  const api = (port: number, path: string, token: string, init: RequestInit = {}) =>
    fetch(`http://localhost:${port}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });

  beforeAll(async () => {
    cluster = await startCluster(2, { GRADE_RETRY_BASE_MS: '200' });
    db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    teacher = await cluster.launch.launch('phys-101', 'dev-ada');
    grace = await cluster.launch.launch('phys-101', 'dev-grace');
    alan = await cluster.launch.launch('phys-101', 'dev-alan');
    const graded = await cluster.launch.api('/api/classroom/grading', teacher, {
      method: 'PUT',
      body: JSON.stringify({ attendancePoints: 10 }),
    });
    expect(graded.status).toBe(200);
    sessionId = (
      (await (await cluster.launch.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await db?.end();
    await cluster?.close();
  });

  const join = async (port: number, token: string) => {
    const c = new RoomClient(`http://localhost:${port}`, token);
    clients.push(c);
    await c.connected();
    const ack = await c.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    return c;
  };
  const userId = async (subject: string) =>
    (await db.query<{ id: string }>(`SELECT id FROM lti_user WHERE subject = $1`, [subject])).rows[0].id;

  type Roster = {
    members: Array<{
      subject: string;
      lastLaunchAt: string | null;
      lastAttendedAt: string | null;
      classesAttended: number;
    }>;
  };
  const rosterOf = async (port: number) =>
    ((await (await api(port, '/api/roster', teacher)).json()) as Roster).members.find(
      (m) => m.subject === 'dev-grace',
    )!;

  it('the roster says "never attended" from attendance, not from launches', async () => {
    const g = await rosterOf(cluster.ports[0]);
    expect(g.lastLaunchAt).not.toBeNull();
    expect(g).toMatchObject({ lastAttendedAt: null, classesAttended: 0 });
  });

  it('ends the spans of a dead instance at its death, grades at class end, posted once when the LMS is back', async () => {
    const [A, B] = cluster.ports;
    await join(B, teacher);
    const g = await join(A, grace);
    const a = await join(B, alan);
    expect((await g.call(AttendanceEvents.visibility, { visible: true })).ok).toBe(true);
    expect((await a.call(AttendanceEvents.visibility, { visible: true })).ok).toBe(true);
    // A bad payload is refused by the gate with its code.
    const bad = await a.call(AttendanceEvents.visibility, { visible: 'yes' });
    expect(bad.ok ? 'OK' : bad.error.code).toBe('INVALID_PAYLOAD');
    await new Promise((r) => setTimeout(r, 300));
    // Alan hides his tab (another window in front) for the rest of the class.
    expect((await a.call(AttendanceEvents.visibility, { visible: false })).ok).toBe(true);

    // The instructor's live view: both here, Alan inactive.
    const live = (await (await api(B, '/api/attendance/live', teacher)).json()) as {
      students: Array<{ name: string; here: boolean; inactive: boolean }>;
    };
    expect(live.students.map((s) => [s.name, s.here, s.inactive])).toEqual([
      ['Alan Turing', true, true],
      ['Grace Hopper', true, false],
    ]);

    const graceId = await userId('dev-grace');
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM attendance_span WHERE session_id = $1 AND user_id = $2`, [sessionId, graceId]))
          .rowCount === 1,
      'grace span recorded',
    );
    cluster.procs[0].kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((r) => cluster.procs[0].once('exit', r));
    const left = await waitFor(
      async () =>
        (
          await db.query<{ left_at: Date; left_reason: string }>(
            `SELECT left_at, left_reason FROM attendance_span WHERE session_id = $1 AND user_id = $2 AND left_at IS NOT NULL`,
            [sessionId, graceId],
          )
        ).rows[0] ?? null,
      'grace span closed by the sweep',
      40_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${cluster.logs.join('').slice(-6000)}`);
    });
    const noticedAt = Date.now();
    expect(left.left_reason).toBe('lost');
    // Ended at A's last beat: before the kill (within a TTL of it, however late a loaded machine ran the beats),
    // not when noticed.
    expect(left.left_at.getTime()).toBeLessThanOrEqual(killedAt + 50);
    expect(left.left_at.getTime()).toBeGreaterThan(killedAt - TTL_MS);
    // The sweep could only notice once A's key expired, a TTL after that beat.
    expect(noticedAt - left.left_at.getTime()).toBeGreaterThanOrEqual(TTL_MS);

    // The instructor grades Alan by hand (while the LMS is down): that grade wins over the computed one.
    const down = await fetch(`http://localhost:${B}/dev-platform/gradebook/ags`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ down: '1' }),
      redirect: 'manual',
    });
    expect(down.status).toBe(303);
    expect(
      (
        await api(B, '/api/grades/attendance/dev-alan', teacher, {
          method: 'PUT',
          body: JSON.stringify({ scoreGiven: 7 }),
        })
      ).status,
    ).toBe(200);

    const ended = await api(B, `/api/classroom/sessions/${sessionId}/end`, teacher, { method: 'POST' });
    expect(ended.ok).toBe(true);
    const grades = await waitFor(
      async () => {
        const { rows } = await db.query<{
          name: string;
          score: string | null;
          source: string | null;
          outbox_id: string | null;
          status: string;
        }>(
          `SELECT u.name, g.score, g.source, g.outbox_id, g.status FROM attendance_grade g JOIN lti_user u ON u.id = g.user_id
           WHERE g.session_id = $1 ORDER BY u.name`,
          [sessionId],
        );
        return rows.length >= 2 ? rows : null;
      },
      'attendance grades recorded',
      10_000,
    );
    expect(grades.map((r) => [r.name, r.source, r.status])).toEqual([
      ['Alan Turing', 'manual', 'inactive'],
      ['Grace Hopper', 'auto', grades[1].status],
    ]);
    expect(grades[0].outbox_id).toBeNull();
    const graceScore = Number(grades[1].score);
    expect(graceScore).toBeGreaterThan(0);
    expect(graceScore).toBeLessThan(10);

    // The LMS is down: Grace's grade is tried and kept pending.
    const outbox = grades[1].outbox_id!;
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM grade_outbox WHERE id = $1 AND attempts >= 1 AND status = 'pending'`, [outbox]))
          .rowCount === 1,
      'a failed attempt while the LMS is down',
      10_000,
    );
    // Straight to B (A is dead; the balancer may still try it first).
    const up = await fetch(`http://localhost:${B}/dev-platform/gradebook/ags`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ down: '0' }),
      redirect: 'manual',
    });
    expect(up.status).toBe(303);
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM grade_outbox WHERE id = $1 AND status = 'sent'`, [outbox])).rowCount === 1,
      'the attendance grade sent once the LMS is back',
      20_000,
    ).catch(async (e: Error) => {
      const row = await db.query(`SELECT status, attempts, last_error FROM grade_outbox WHERE id = $1`, [outbox]);
      throw new Error(`${e.message}: ${JSON.stringify(row.rows)}\n${cluster.logs.slice(-30).join('')}`);
    });
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM dev_platform_score WHERE user_id = 'dev-alan' AND score_given = 7`)).rowCount ===
        1,
      "the instructor's grade for Alan in the LMS",
      20_000,
    );
    // Once each: one score row for Grace (the computed one), Alan's is the instructor's only.
    const scores = await db.query<{ user_id: string; score_given: string }>(
      `SELECT s.user_id, s.score_given FROM dev_platform_score s JOIN dev_platform_lineitem li ON li.id = s.lineitem_id
       WHERE li.tag = 'lectern:attendance' ORDER BY s.user_id`,
    );
    expect(scores.rows.map((r) => [r.user_id, Number(r.score_given)])).toEqual([
      ['dev-alan', 7],
      ['dev-grace', graceScore],
    ]);

    // The session report and its CSV agree; Grace's last leave is A's death.
    const report = (await (
      await api(B, `/api/attendance/sessions/${sessionId}/report`, teacher)
    ).json()) as SessionReport;
    const graceRow = report.rows.find((r) => r.name === 'Grace Hopper')!;
    expect(Date.parse(graceRow.lastLeave!)).toBe(left.left_at.getTime());
    expect(graceRow).toMatchObject({ grade: graceScore, gradeSource: 'auto' });
    expect(report.rows.find((r) => r.name === 'Alan Turing')).toMatchObject({
      status: 'inactive',
      gradeSource: 'manual',
    });
    // The one CSV of a class's report (the exports endpoint, also behind the page's download button).
    const csv = await (await api(B, `/api/attendance/exports/sessions/${sessionId}?format=csv`, teacher)).text();
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe(
      'student,user_id,first_join (UTC),last_leave (UTC),present_minutes,active_minutes,status,grade,grade_source',
    );
    const graceLine = lines.find((l) => l.startsWith('Grace Hopper,'))!.split(',');
    expect(Number(graceLine[4])).toBe(Number((graceRow.presentMs / 60_000).toFixed(1)));
    expect(Number(graceLine[7])).toBe(graceScore);
    const graceInRoster = await rosterOf(B);
    expect(graceInRoster.classesAttended).toBe(1);
    expect(graceInRoster.lastAttendedAt).toBe(graceRow.firstJoin);
    // Students only, and refused to a student.
    expect((await api(B, `/api/attendance/sessions/${sessionId}/report`, grace)).status).toBe(403);
  }, 90_000);
});
