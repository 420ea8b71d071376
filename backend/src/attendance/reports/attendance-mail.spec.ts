import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttendanceEvents, type SessionReport } from '../../contracts/attendance';
import { ClientEvents } from '../../contracts/realtime';
import { LaunchClient } from '../../testing/lti-client';
import { RoomClient } from '../../testing/room-client';
import { startTestApp, type TestApp } from '../../testing/test-app';
import { forgetRedisKeys } from '../../testing/forget-redis-keys';
import { waitFor } from '../../testing/wait-for';
import { SmtpInbox } from '../alerts/testing/smtp-inbox';
import { AttendanceAlertsService } from '../alerts/attendance-alerts.service';

/**
 * Attendance by mail and as files, on the whole app (real Postgres, Redis, Bull) sending to a real SMTP
 * server in its own process: a class ends with Alan's tab hidden, so he and his guardian (imported as CSV)
 * get a note, retried once the mail server refuses it, and never twice; the instructor downloads the CSV
 * (the same numbers as the attendance report) and the PDF; a weekly subscription's report arrives by mail.
 */
describe('attendance notes and reports by mail', () => {
  let app: TestApp;
  let inbox: SmtpInbox;
  let launch: LaunchClient;
  let teacher: string;
  let grace: string;
  let alan: string;
  let sessionId: string;
  const clients: RoomClient[] = [];

  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    app = await startTestApp({
      SMTP_URL: inbox.url,
      MAIL_FROM: 'Lectern <lectern@school.test>',
      REPORT_DISPATCH_MS: '500',
    });
    launch = new LaunchClient(app);
    teacher = await launch.launch('phys-101', 'dev-ada');
    grace = await launch.launch('phys-101', 'dev-grace');
    alan = await launch.launch('phys-101', 'dev-alan');
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await app?.close();
    await inbox?.close();
  });

  const csvPost = (token: string, body: string, type = 'text/csv') =>
    launch.api('/api/attendance/contacts', token, { method: 'POST', body, headers: { 'content-type': type } });
  const errorCode = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;
  const join = async (token: string) => {
    const c = new RoomClient(app.url, token);
    clients.push(c);
    await c.connected();
    const ack = await c.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    return c;
  };
  const to = async (address: string) => (await inbox.messages()).filter((m) => m.envelopeTo.includes(address));

  it('imports guardian contacts as CSV: instructors only, all or nothing, students of the course only', async () => {
    expect(await errorCode(await csvPost(alan, 'student,guardian_email\ndev-alan,e@family.test\n'))).toBe(
      'TEACHER_ONLY',
    );
    const bad = await csvPost(teacher, 'student,guardian_email\ndev-alan,not-mail\n');
    expect(bad.status).toBe(400);
    expect(await errorCode(bad)).toBe('INVALID_INPUT');
    const stranger = await csvPost(teacher, 'student,guardian_email\ndev-nobody,e@family.test\n');
    expect(stranger.status).toBe(400);
    expect(((await stranger.json()) as { error: { message: string } }).error.message).toContain(
      'no student dev-nobody',
    );
    expect((await csvPost(teacher, '{"a":1}', 'application/json')).status).toBe(400);
    // A member who is not a student (the instructor, an LMS observer) has no guardians.
    const notStudent = await csvPost(teacher, 'student,guardian_email\ndev-ada,e@family.test\n');
    expect(((await notStudent.json()) as { error: { details: string[] } }).error.details).toEqual([
      'line 2: no student dev-ada in this course',
    ]);

    const ok = await csvPost(
      teacher,
      'student,guardian_email,guardian_name\ndev-alan,Ethel@Family.test,"Turing, Ethel"\n',
    );
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ imported: 1, students: 1 });
    const list = (await (await launch.api('/api/attendance/contacts', teacher)).json()) as { contacts: unknown[] };
    expect(list.contacts).toEqual([{ subject: 'dev-alan', email: 'ethel@family.test', name: 'Turing, Ethel' }]);
  });

  it('a student below the thresholds at class end gets a note, and so does their guardian, once, retried', async () => {
    // Inactive below 1 % of the class active: Alan (hidden all along) is below it and Grace (visible from her
    // join) is not, however slowly a loaded machine lets them join a short class.
    const settings = await launch.api('/api/attendance/classroom/settings', teacher, {
      method: 'PUT',
      body: JSON.stringify({
        thresholds: { lateAfterMinutes: 10, leftEarlyMinutes: 10, minActiveMinutes: null, minActivePercent: 1 },
        gradingMode: 'percent',
        autoGrade: true,
      }),
    });
    expect(settings.status).toBe(200);
    sessionId = (
      (await (await launch.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    await join(teacher);
    const g = await join(grace);
    const a = await join(alan);
    expect((await g.call(AttendanceEvents.visibility, { visible: true })).ok).toBe(true);
    // Alan's tab is hidden (another window in front) for the whole class.
    expect((await a.call(AttendanceEvents.visibility, { visible: false })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    // The mail server is away for the first message: its job is retried with backoff.
    await inbox.failNext(1);
    expect((await launch.api(`/api/classroom/sessions/${sessionId}/end`, teacher, { method: 'POST' })).ok).toBe(true);

    const [student] = await waitFor(async () => {
      const m = await to('alan@dev-lms.test');
      return m.length ? m : null;
    }, 'the note to Alan');
    const [guardian] = await waitFor(async () => {
      const m = await to('ethel@family.test');
      return m.length ? m : null;
    }, 'the note to his guardian');
    expect(student.envelopeFrom).toBe('lectern@school.test');
    expect(student.subject).toMatch(/^Attendance: Live lectures, \d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(student.text).toContain('Hello Alan Turing');
    expect(student.text).toMatch(
      /You attended the class "Live lectures" of .* \(UTC\) for \d+ minutes, of which 0 active/,
    );
    expect(guardian.text).toContain('Alan Turing attended the class');
    expect(await to('grace@dev-lms.test')).toEqual([]);

    const notes = (
      (await (await launch.api(`/api/attendance/notes/${sessionId}`, teacher)).json()) as {
        notes: Array<{ recipient: string; kind: string; status: string }>;
      }
    ).notes;
    expect(notes.map((n) => [n.recipient, n.kind, n.status])).toEqual([
      ['alan@dev-lms.test', 'student', 'sent'],
      ['ethel@family.test', 'guardian', 'sent'],
    ]);
    const [{ attempts }] = await app.db.query(
      `SELECT max(attempts)::int AS attempts FROM attendance_note WHERE session_id = $1`,
      [sessionId],
    );
    expect(attempts).toBe(2);

    // Working the class's notes out again (a retried or duplicated job) sends nothing twice.
    const courseId = (await app.db.query(`SELECT course_id FROM live_session WHERE id = $1`, [sessionId]))[0].course_id;
    expect(await app.app.get(AttendanceAlertsService).sessionAlerts(courseId, sessionId)).toBe(2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await to('alan@dev-lms.test')).toHaveLength(1);
    expect(await to('ethel@family.test')).toHaveLength(1);
    expect((await launch.api(`/api/attendance/notes/${sessionId}`, alan)).status).toBe(403);
  }, 60_000);

  it('the session CSV parses back to the numbers of the attendance report; the PDF holds the table', async () => {
    const report = (await (
      await launch.api(`/api/attendance/sessions/${sessionId}/report`, teacher)
    ).json()) as SessionReport;
    const csv = await launch.api(`/api/attendance/exports/sessions/${sessionId}?format=csv`, teacher);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.student, r.status, r.present_minutes, r.active_minutes])).toEqual(
      report.rows.map((r) => [r.name, r.status, (r.presentMs / 60_000).toFixed(1), (r.activeMs / 60_000).toFixed(1)]),
    );
    expect(rows.map((r) => r.status)).toEqual(['inactive', 'present']);

    const pdf = await launch.api(`/api/attendance/exports/sessions/${sessionId}?format=pdf`, teacher);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');

    expect(await errorCode(await launch.api(`/api/attendance/exports/sessions/${sessionId}?format=csv`, grace))).toBe(
      'TEACHER_ONLY',
    );
    expect((await launch.api(`/api/attendance/exports/sessions/${sessionId}?format=doc`, teacher)).status).toBe(400);
    const other = await launch.api(
      `/api/attendance/exports/sessions/00000000-0000-4000-8000-000000000000?format=csv`,
      teacher,
    );
    expect(other.status).toBe(404);

    const today = new Date().toISOString().slice(0, 10);
    const course = await launch.api(`/api/attendance/exports/course?from=${today}&to=${today}&format=csv`, teacher);
    expect(course.status).toBe(200);
    const courseRows = parse(await course.text(), { columns: true }) as Record<string, string>[];
    const alanRow = courseRows.find((r) => r.student === 'Alan Turing')!;
    expect([alanRow.classes, alanRow.inactive, alanRow.present]).toEqual(['1', '1', '0']);
  });

  it('a weekly subscription gets the course report by mail (CSV and PDF attached), once per period', async () => {
    expect(
      await errorCode(
        await launch.api('/api/attendance/report-subscription', teacher, {
          method: 'PUT',
          body: JSON.stringify({ frequency: 'daily' }),
        }),
      ),
    ).toBe('INVALID_INPUT');
    const sub = await launch.api('/api/attendance/report-subscription', teacher, {
      method: 'PUT',
      body: JSON.stringify({ frequency: 'weekly' }),
    });
    expect(sub.status).toBe(200);
    expect(((await sub.json()) as { subscription: { email: string } }).subscription.email).toBe('ada@dev-lms.test');

    const [mail] = await waitFor(async () => {
      const m = await to('ada@dev-lms.test');
      return m.length ? m : null;
    }, 'the scheduled report');
    expect(mail.subject).toMatch(/^Attendance report: Introduction to Physics, \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/);
    expect(mail.attachments.map((a) => a.contentType)).toEqual(['text/csv', 'application/pdf']);
    const csv = parse(Buffer.from(mail.attachments[0].contentBase64, 'base64').toString(), { columns: true });
    expect(Array.isArray(csv)).toBe(true);
    expect(Buffer.from(mail.attachments[1].contentBase64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    // The dispatch runs every 500 ms: the period is not sent again.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await to('ada@dev-lms.test')).toHaveLength(1);
    const after = (await (await launch.api('/api/attendance/report-subscription', teacher)).json()) as {
      subscription: { lastPeriodEnd: string };
    };
    expect(after.subscription.lastPeriodEnd).toMatch(/^\d{4}-\d\d-\d\d$/);
  }, 60_000);

  it('without SMTP configured, a class end still works out its notes and marks them skipped', async () => {
    const bare = await startTestApp({ DATABASE_URL: app.config.databaseUrl });
    try {
      const l = new LaunchClient(bare);
      const t = await l.launch('hist-210', 'dev-ada');
      await l.launch('hist-210', 'dev-katherine'); // enrolled, never comes: absent
      const id = (
        (await (await l.api('/api/classroom/sessions', t, { method: 'POST' })).json()) as { session: { id: string } }
      ).session.id;
      expect((await l.api(`/api/classroom/sessions/${id}/end`, t, { method: 'POST' })).ok).toBe(true);
      const notes = await waitFor(async () => {
        const n = (
          (await (await l.api(`/api/attendance/notes/${id}`, t)).json()) as {
            notes: Array<{ recipient: string; status: string }>;
          }
        ).notes;
        return n.length && n.every((x) => x.status !== 'pending') ? n : null;
      }, 'the notes of the class, skipped');
      expect(notes.map((n) => [n.recipient, n.status])).toEqual([['katherine@dev-lms.test', 'skipped']]);
      expect(await to('katherine@dev-lms.test')).toEqual([]);
    } finally {
      await bare.close();
    }
  }, 60_000);

  it('the report schedule heals after Redis loses its data: the restored dispatch sends what is due', async () => {
    // Dispatch once an hour: within this test only the restored schedule's immediate run can send anything.
    // Its own database: the first app dispatches every 500 ms whatever subscriptions its database holds.
    const hourly = await startTestApp({
      SMTP_URL: inbox.url,
      REPORT_DISPATCH_MS: '3600000',
      SCHEDULE_CHECK_MS: '300',
    });
    try {
      const l = new LaunchClient(hourly);
      const t = await l.launch('hist-210', 'dev-ada');
      const sub = await l.api('/api/attendance/report-subscription', t, {
        method: 'PUT',
        body: JSON.stringify({ frequency: 'monthly' }),
      });
      expect(sub.status).toBe(200);
      const history = async () => (await to('ada@dev-lms.test')).filter((m) => m.subject.includes('Modern History'));
      await new Promise((r) => setTimeout(r, 1000));
      expect(await history()).toEqual([]);
      expect(await forgetRedisKeys(hourly.config.redisUrl, hourly.config.queuePrefix)).toBeGreaterThan(0);
      const [mail] = await waitFor(async () => {
        const m = await history();
        return m.length ? m : null;
      }, 'the monthly report, sent by the restored dispatch');
      expect(mail.subject).toMatch(/^Attendance report: Modern History, \d{4}-\d\d-01 to \d{4}-\d\d-\d\d$/);
    } finally {
      await hourly.close();
    }
  }, 60_000);

  it("an LMS observer (role Mentor) of a student gets the student's notes: linked by their launch and by NRPS", async () => {
    const courseId = (await app.db.query(`SELECT course_id FROM live_session WHERE id = $1`, [sessionId]))[0].course_id;
    const links = () =>
      app.db.query(
        `SELECT observer_subject, student_subject, email, source FROM roster_observer_link WHERE course_id = $1 ORDER BY source`,
        [courseId],
      );
    // The roster sync the first launch queued listed Mary as a Mentor of Grace (NRPS member message claims).
    await waitFor(async () => ((await links()) as unknown[]).length > 0, 'the observer link from the NRPS sync');
    // Mary's own launch: her role_scope_mentor names Grace; she enters as an observer (read-only, never graded: issue 19).
    const maryToken = await launch.launch('phys-101', 'dev-mary');
    expect(((await (await launch.api('/api/lobby', maryToken)).json()) as { me: { role: string } }).me.role).toBe(
      'observer',
    );
    await waitFor(async () => ((await links()) as unknown[]).length === 2, 'the observer link from her launch');
    expect(await links()).toEqual([
      {
        observer_subject: 'dev-mary',
        student_subject: 'dev-grace',
        email: 'mary.hopper@family.dev-lms.test',
        source: 'launch',
      },
      {
        observer_subject: 'dev-mary',
        student_subject: 'dev-grace',
        email: 'mary.hopper@family.dev-lms.test',
        source: 'nrps',
      },
    ]);
    const listed = (await (await launch.api('/api/attendance/contacts', teacher)).json()) as {
      observers: Array<{ subject: string; email: string; source: string }>;
    };
    expect(listed.observers).toEqual([
      { subject: 'dev-grace', email: 'mary.hopper@family.dev-lms.test', name: 'Mary Hopper', source: 'launch' },
    ]);

    // A class where Grace keeps her page hidden: the note goes to her and, once, to Mary.
    const id = (
      (await (await launch.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    sessionId = id;
    await join(teacher);
    const g = await join(grace);
    expect((await g.call(AttendanceEvents.visibility, { visible: false })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await launch.api(`/api/classroom/sessions/${id}/end`, teacher, { method: 'POST' })).ok).toBe(true);
    const [mary] = await waitFor(async () => {
      const m = (await to('mary.hopper@family.dev-lms.test')).filter((x) => x.text.includes('Grace Hopper'));
      return m.length ? m : null;
    }, "the note to Grace's observer");
    expect(mary.text).toContain('Grace Hopper attended the class');
    await waitFor(async () => (await to('grace@dev-lms.test')).length === 1, 'the note to Grace');
    const notes = await app.db.query(
      `SELECT recipient, recipient_kind FROM attendance_note WHERE session_id = $1 ORDER BY recipient`,
      [id],
    );
    expect(notes).toEqual(
      expect.arrayContaining([
        { recipient: 'grace@dev-lms.test', recipient_kind: 'student' },
        { recipient: 'mary.hopper@family.dev-lms.test', recipient_kind: 'guardian' },
      ]),
    );
    expect(notes.filter((n: { recipient: string }) => n.recipient.startsWith('mary'))).toHaveLength(1);
  }, 60_000);

  it("the files come in the language the instructor's LMS sent at launch (locale es), kept for later launches", async () => {
    const login = await launch.login(await launch.loginUrl('phys-101', 'dev-ada', { locale: 'es-419' }));
    const form = await launch.authorize(login.authUrl);
    const spanish = await launch.exchange(await launch.codeOf(await launch.postLaunch(form, login.cookie)));
    expect(
      await app.db.query(`SELECT locale FROM lti_user WHERE email = 'ada@dev-lms.test' AND locale IS NOT NULL`),
    ).toEqual([{ locale: 'es-419' }]);
    const csv = await launch.api(`/api/attendance/exports/sessions/${sessionId}?format=csv`, spanish);
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]).slice(0, 2)).toEqual(['estudiante', 'id_usuario']);
    expect(rows.map((r) => r.estado)).toContain('inactivo');
    // The token from the first launch is the same person: their files follow the stored language too.
    const again = parse(
      await (await launch.api(`/api/attendance/exports/sessions/${sessionId}?format=csv`, teacher)).text(),
      { columns: true },
    ) as Record<string, string>[];
    expect(Object.keys(again[0])[0]).toBe('estudiante');
  });
});
