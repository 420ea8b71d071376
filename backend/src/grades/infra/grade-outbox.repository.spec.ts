import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../platform/database';
import { createTestDatabase } from '../../testing/test-app';
import { GradeOutboxRepository, type NewGrade } from './grade-outbox.repository';

describe('grade outbox repository (real Postgres)', () => {
  let db: DataSource;
  let outbox: GradeOutboxRepository;
  let courseId: string;
  let activityId: string;
  let grace: string;
  let alan: string;
  const grade = (userId: string, scoreGiven: number): NewGrade => ({
    courseId,
    activityId,
    userId,
    tag: 'lectern:attendance',
    label: 'Attendance: Live lectures',
    scoreGiven,
    scoreMaximum: 10,
  });
  const record = (g: NewGrade) => outbox.transaction((tx) => outbox.record(tx, g));
  const rows = (): Promise<Array<{ id: string; user_id: string; status: string; score_given: string }>> =>
    db.query(`SELECT id, user_id, status, score_given FROM grade_outbox ORDER BY created_at, id`);

  beforeAll(async () => {
    db = new DataSource(dataSourceOptions(await createTestDatabase()));
    await db.initialize();
    outbox = new GradeOutboxRepository(db);
    // The tenant rows a grade refers to (written by tenancy in the app).
    const [p] = await db.query(
      `INSERT INTO lti_platform (issuer, client_id, name, ltijs_kid) VALUES ('https://lms.test', 'c1', 'LMS', 'k') RETURNING id`,
    );
    const [d] = await db.query(
      `INSERT INTO lti_deployment (platform_id, deployment_id) VALUES ($1, 'd1') RETURNING id`,
      [p.id],
    );
    [{ id: courseId }] = await db.query(
      `INSERT INTO course (platform_id, deployment_id, context_id, title) VALUES ($1, $2, 'c', 'Physics') RETURNING id`,
      [p.id, d.id],
    );
    [{ id: activityId }] = await db.query(
      `INSERT INTO classroom_activity (course_id, resource_link_id, title) VALUES ($1, 'rl', 'Live lectures') RETURNING id`,
      [courseId],
    );
    [{ id: grace }] = await db.query(
      `INSERT INTO lti_user (platform_id, subject, name) VALUES ($1, 'grace', 'Grace') RETURNING id`,
      [p.id],
    );
    [{ id: alan }] = await db.query(
      `INSERT INTO lti_user (platform_id, subject, name) VALUES ($1, 'alan', 'Alan') RETURNING id`,
      [p.id],
    );
  });
  afterAll(() => db?.destroy());

  it("writes a grade inside the caller's transaction: nothing is left when that transaction rolls back", async () => {
    const failed = outbox.transaction(async (tx) => {
      await outbox.record(tx, grade(grace, 3));
      throw new Error('what it grades failed');
    });
    await expect(failed).rejects.toThrow('what it grades failed');
    expect(await rows()).toEqual([]);
    expect(await db.query(`SELECT id FROM grade_line_item`)).toEqual([]);

    const id = await record(grade(grace, 7));
    expect(await outbox.find(id)).toMatchObject({
      id,
      courseId,
      userId: grace,
      status: 'pending',
      scoreGiven: 7,
      scoreMaximum: 10,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      comment: null,
      lineItem: {
        activityId,
        tag: 'lectern:attendance',
        label: 'Attendance: Live lectures',
        scoreMaximum: 10,
        lmsUrl: null,
      },
    });
    expect(await outbox.find('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it("supersedes a person's grade still waiting (pending or failed), never a sent one; the gradebook sees the newest", async () => {
    const [first] = await rows();
    await outbox.markFailed(first.id);
    const second = await record(grade(grace, 8));
    const third = await record(grade(grace, 9));
    await outbox.markSent(third);
    const fourth = await record(grade(grace, 10));
    const alans = await record(grade(alan, 5));
    const status = Object.fromEntries((await rows()).map((r) => [r.id, r.status]));
    expect(status).toEqual({
      [first.id]: 'superseded',
      [second]: 'superseded',
      [third]: 'sent',
      [fourth]: 'pending',
      [alans]: 'pending',
    });
    // One line item for the activity and tag, however many grades.
    expect(await db.query(`SELECT count(*)::int AS n FROM grade_line_item`)).toEqual([{ n: 1 }]);

    const latest = await outbox.latest(activityId, 'lectern:attendance');
    expect(latest.map((g) => [g.userId, g.outboxId, g.scoreGiven, g.status]).sort()).toEqual(
      [
        [grace, fourth, 10, 'pending'],
        [alan, alans, 5, 'pending'],
      ].sort(),
    );
    expect(await outbox.latest(activityId, 'another-tag')).toEqual([]);
  });

  it('moves a grade only along its states: sent and failed from pending, back to pending from failed within its course', async () => {
    const id = await record(grade(alan, 6));
    await outbox.countAttempt(id);
    await outbox.recordError(id, 'PLATFORM_UNAVAILABLE: 503');
    expect(await outbox.reopenFailed(id, courseId)).toBe(false); // pending, not failed
    await outbox.markFailed(id);
    expect(await outbox.status(id, courseId)).toBe('failed');
    await outbox.markSent(id); // not pending: stays failed
    expect(await outbox.status(id, courseId)).toBe('failed');
    expect(await outbox.reopenFailed(id, '00000000-0000-4000-8000-000000000000')).toBe(false); // another course
    expect(await outbox.status(id, '00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await outbox.reopenFailed(id, courseId)).toBe(true);
    const [row] = await db.query(`SELECT status, attempts, last_error FROM grade_outbox WHERE id = $1`, [id]);
    expect(row).toEqual({ status: 'pending', attempts: 1, last_error: null });
    await outbox.markSent(id);
    expect(await outbox.status(id, courseId)).toBe('sent');
  });

  it('keeps the first LMS line item URL stored when two workers race, and forgets it on request', async () => {
    const id = await record(grade(alan, 4));
    const lineItemId = (await outbox.find(id))!.lineItem.id;
    expect(await outbox.saveLineItemUrl(lineItemId, 'https://lms.test/li/1')).toBe('https://lms.test/li/1');
    expect(await outbox.saveLineItemUrl(lineItemId, 'https://lms.test/li/2')).toBe('https://lms.test/li/1');
    expect((await outbox.find(id))!.lineItem.lmsUrl).toBe('https://lms.test/li/1');
    await outbox.forgetLineItemUrl(lineItemId);
    expect((await outbox.find(id))!.lineItem.lmsUrl).toBeNull();
  });

  it('lists pending rows older than asked, oldest first', async () => {
    const pending = (await rows()).filter((r) => r.status === 'pending').map((r) => r.id);
    expect(pending.length).toBeGreaterThan(1);
    expect(await outbox.pendingIds(3600, 1000)).toEqual([]);
    await db.query(`UPDATE grade_outbox SET created_at = created_at - interval '1 minute' WHERE status = 'pending'`);
    expect(await outbox.pendingIds(30, 1000)).toEqual(pending);
    expect(await outbox.pendingIds(30, 1)).toEqual(pending.slice(0, 1));
  });
});
