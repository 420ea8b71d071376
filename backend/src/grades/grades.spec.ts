import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GradebookView } from '../contracts/api';
import { DevLmsServices } from '../dev-platform/dev-lms-services';
import { LaunchClient } from '../testing/lti-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { GRADES_QUEUE, GradesService } from './grades.service';

describe('grades through the outbox and AGS (dev LMS, real Postgres, Redis, Bull)', () => {
  let t: TestApp;
  let client: LaunchClient;
  let lms: DevLmsServices;
  let queue: Queue;
  let teacher: string;

  beforeAll(async () => {
    // A long first retry delay: tests drive the retry clock themselves (promote the delayed job) instead of sleeping.
    t = await startTestApp({ GRADE_RETRY_BASE_MS: '600000' });
    client = new LaunchClient(t);
    lms = t.app.get(DevLmsServices);
    queue = t.app.get<Queue>(getQueueToken(GRADES_QUEUE));
    teacher = await client.launch('phys-101', 'dev-ada');
    for (const s of ['dev-grace', 'dev-alan']) await client.launch('phys-101', s);
    const res = await client.api('/api/classroom/grading', teacher, {
      method: 'PUT',
      body: JSON.stringify({ attendancePoints: 10 }),
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await lms?.setFault('ags', null);
    await t?.close();
  });
  beforeEach(() => lms.setFault('ags', null));

  const grade = (subject: string, scoreGiven: number, token = teacher) =>
    client.api(`/api/grades/attendance/${subject}`, token, { method: 'PUT', body: JSON.stringify({ scoreGiven }) });
  const view = async () => (await (await client.api('/api/grades', teacher)).json()) as GradebookView;
  const cell = async (subject: string) =>
    (await view()).students.find((s) => s.subject === subject)?.attendance ?? null;
  const lmsScores = async () =>
    (await lms.gradebook('phys-101')).scores.map((s) => ({ user: s.user_id, given: Number(s.score_given) }));

  it('posts a grade to the LMS gradebook, on a line item made once for the link and tag', async () => {
    expect((await grade('dev-grace', 8)).status).toBe(200);
    await waitFor(async () => (await cell('dev-grace'))?.status === 'sent', 'the grade to be sent');
    expect(await lmsScores()).toContainEqual({ user: 'dev-grace', given: 8 });
    expect((await grade('dev-alan', 9)).status).toBe(200);
    await waitFor(async () => (await cell('dev-alan'))?.status === 'sent', 'the second grade to be sent');
    const { items } = await lms.gradebook('phys-101');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      tag: 'lectern:attendance',
      resource_link_id: 'rl-phys-101-live',
      label: 'Attendance: Live lectures',
    });
    expect(Number(items[0].score_maximum)).toBe(10);
  });

  it('keeps a grade while the LMS gradebook is down, and delivers it when it is back', async () => {
    await lms.setFault('ags', '503');
    expect((await grade('dev-grace', 6)).status).toBe(200);
    const waiting = await waitFor(async () => {
      const c = await cell('dev-grace');
      return c && c.attempts >= 1 && c.lastError ? c : null;
    }, 'the first failed attempt');
    expect(waiting.status).toBe('pending');
    expect(waiting.lastError).toMatch(/503/);
    expect(await lmsScores()).not.toContainEqual({ user: 'dev-grace', given: 6 });
    // The job now waits for its retry (10 minutes away); bring the LMS back and move the clock.
    const delayed = await waitFor(
      async () => ((await queue.getDelayed()).length ? queue.getDelayed() : null),
      'a delayed retry',
    );
    await lms.setFault('ags', null);
    for (const job of delayed) await job.promote();
    await waitFor(async () => (await cell('dev-grace'))?.status === 'sent', 'the retried grade to arrive');
    expect(await lmsScores()).toContainEqual({ user: 'dev-grace', given: 6 });
  });

  it('shows a grade the LMS keeps refusing as failed, with the reason, and lets the instructor retry it', async () => {
    await lms.setFault('ags', '401');
    expect((await grade('dev-alan', 4)).status).toBe(200);
    const failed = await waitFor(async () => {
      const c = await cell('dev-alan');
      return c?.status === 'failed' ? c : null;
    }, 'the grade to be marked failed');
    expect(failed.lastError).toMatch(/PLATFORM_UNAUTHORIZED/);
    await lms.setFault('ags', null);
    const retry = await client.api(`/api/grades/${failed.outboxId}/retry`, teacher, { method: 'POST' });
    expect(retry.status).toBe(202);
    await waitFor(async () => (await cell('dev-alan'))?.status === 'sent', 'the retried grade');
    expect(await lmsScores()).toContainEqual({ user: 'dev-alan', given: 4 });
  });

  it('waits on malformed answers from the LMS instead of dropping the grade', async () => {
    await t.db.query(`UPDATE grade_line_item SET lms_url = NULL`); // force a line item lookup
    await lms.setFault('ags', 'malformed');
    expect((await grade('dev-grace', 7)).status).toBe(200);
    const c = await waitFor(async () => {
      const x = await cell('dev-grace');
      return x?.lastError ? x : null;
    }, 'the attempt on a malformed answer');
    expect(c.status).toBe('pending');
    expect(c.lastError).toMatch(/malformed/);
  });

  it.each(['429', '500'] as const)('keeps a grade pending with the reason when AGS answers %s', async (fault) => {
    await lms.setFault('ags', fault);
    expect((await grade('dev-alan', 3)).status).toBe(200);
    const c = await waitFor(async () => {
      const x = await cell('dev-alan');
      return x?.scoreGiven === 3 && x.lastError ? x : null;
    }, `the attempt on ${fault}`);
    expect(c.status).toBe('pending');
    expect(c.lastError).toContain(fault);
  });

  it('posts a row once: a sent grade is not sent again', async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM grade_outbox WHERE status = 'sent' LIMIT 1`);
    const c = { outboxId: id as string };
    const before = (await lms.gradebook('phys-101')).scores.length;
    expect(await t.app.get(GradesService).post(c.outboxId)).toBe('skipped');
    expect((await lms.gradebook('phys-101')).scores.length).toBe(before);
  });

  it('makes a new line item once when a whole class is graded at the same moment (grades posted concurrently)', async () => {
    const grades = t.app.get(GradesService);
    const [{ activity_id: activityId, course_id: courseId }] = await t.db.query(
      `SELECT li.activity_id, li.course_id FROM grade_line_item li WHERE li.tag = 'lectern:attendance' LIMIT 1`,
    );
    const users = await t.db.query(
      `SELECT u.id FROM lti_user u JOIN enrolment e ON e.user_id = u.id WHERE e.course_id = $1 AND u.subject IN ('dev-grace', 'dev-alan')`,
      [courseId],
    );
    expect(users).toHaveLength(2);
    const ids = await grades.transaction((tx) =>
      Promise.all(
        users.map((u: { id: string }, i: number) =>
          grades.record(tx, {
            courseId,
            activityId,
            userId: u.id,
            tag: 'lectern-test:race',
            label: 'Race',
            scoreGiven: i + 1,
            scoreMaximum: 5,
          }),
        ),
      ),
    );
    // Both posts at once, as two Bull workers (or two instances) would.
    expect(await Promise.all(ids.map((id) => grades.post(id)))).toEqual(['sent', 'sent']);
    const { items } = await lms.gradebook('phys-101');
    expect(items.filter((i) => i.tag === 'lectern-test:race')).toHaveLength(1);
  });

  it('refuses bad grades and students', async () => {
    expect((await grade('dev-grace', 11)).status).toBe(409);
    expect((await grade('nobody-here', 1)).status).toBe(404);
    const bad = await client.api('/api/grades/attendance/dev-grace', teacher, {
      method: 'PUT',
      body: JSON.stringify({ scoreGiven: 'ten' }),
    });
    expect(bad.status).toBe(400);
    const student = await client.launch('phys-101', 'dev-grace');
    expect((await grade('dev-grace', 10, student)).status).toBe(403);
    expect((await client.api('/api/grades', student)).status).toBe(403);
  });

  it("saves several grades in one request, all or none, and lists the classroom's classes and people's ids", async () => {
    const many = (grades: unknown, token = teacher) =>
      client.api('/api/grades/attendance', token, { method: 'PUT', body: JSON.stringify({ grades }) });
    const outbox = async () => Number((await t.db.query(`SELECT count(*)::int AS n FROM grade_outbox`))[0].n);
    const before = await outbox();
    // One bad row (above the maximum, unknown student, a student twice, not a number) saves nothing.
    expect(
      (
        await many([
          { subject: 'dev-grace', scoreGiven: 5 },
          { subject: 'dev-alan', scoreGiven: 11 },
        ])
      ).status,
    ).toBe(409);
    expect(
      (
        await many([
          { subject: 'dev-grace', scoreGiven: 5 },
          { subject: 'nobody-here', scoreGiven: 1 },
        ])
      ).status,
    ).toBe(404);
    const twice = await many([
      { subject: 'dev-grace', scoreGiven: 5 },
      { subject: 'dev-grace', scoreGiven: 6 },
    ]);
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
    expect((await many([{ subject: 'dev-grace', scoreGiven: 'five' }])).status).toBe(400);
    expect((await many([])).status).toBe(400);
    expect((await many([{ subject: 'dev-grace', scoreGiven: 1, extra: 1 }])).status).toBe(400);
    expect(await outbox()).toBe(before);
    const student = await client.launch('phys-101', 'dev-alan');
    expect((await many([{ subject: 'dev-alan', scoreGiven: 10 }], student)).status).toBe(403);

    // dev-gen-001 is on the roster only (never launched): graded all the same.
    await waitFor(async () => (await view()).students.some((s) => s.subject === 'dev-gen-001'), 'the roster synced');
    const ok = await many([
      { subject: 'dev-grace', scoreGiven: 6 },
      { subject: 'dev-alan', scoreGiven: 7.5 },
      { subject: 'dev-gen-001', scoreGiven: 4 },
    ]);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ saved: 3 });
    expect(await outbox()).toBe(before + 3);
    await waitFor(async () => (await cell('dev-alan'))?.status === 'sent', 'the saved grades to be sent');
    expect(await lmsScores()).toContainEqual({ user: 'dev-alan', given: 7.5 });

    const v = await view();
    expect(v.timeZone).toBe('UTC');
    expect(Array.isArray(v.classes)).toBe(true);
    const grace = v.students.find((s) => s.subject === 'dev-grace')!;
    const [{ id }] = await t.db.query(`SELECT id FROM lti_user WHERE subject = 'dev-grace'`);
    expect(grace.userId).toBe(id);
    expect(v.students.find((s) => s.subject === 'dev-gen-002')?.userId).toBeNull();
  });
});
