import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource, EntityManager } from 'typeorm';
import { PlatformServiceClient, PlatformServiceError } from '../lti/infra/platform-service-client';
import type { AppConfig } from '../config/config';
import { ConflictError, NotFoundError } from '../platform/domain-error';
import { APP_CONFIG } from '../platform/redis';
import { ActivityProgress, AGS_MEDIA, AGS_SCOPES, agsScore, attemptsFor, findLineItem, GradingProgress, lineItemBody, scoresUrl } from './domain/ags';

/** Retries go on for a day: an LMS down for hours still gets every grade when it is back. */
const RETRY_WINDOW_MS = 24 * 3_600_000;

export const GRADES_QUEUE = 'grade-post';
import { ATTENDANCE_LINE_ITEM_TAG } from '../lti/domain/deep-linking';

export const ATTENDANCE_TAG = ATTENDANCE_LINE_ITEM_TAG;

export interface NewGrade {
  courseId: string;
  activityId: string;
  userId: string;
  tag: string;
  label: string;
  scoreGiven: number;
  scoreMaximum: number;
  activityProgress?: ActivityProgress;
  gradingProgress?: GradingProgress;
  comment?: string | null;
}

interface OutboxRow {
  id: string;
  status: string;
  score_given: string;
  score_maximum: string;
  activity_progress: ActivityProgress;
  grading_progress: GradingProgress;
  comment: string | null;
  graded_at: Date;
  line_item_id: string;
  tag: string;
  label: string;
  li_max: string;
  li_url: string | null;
  resource_link_id: string;
  activity_line_item_url: string | null;
  subject: string;
  lineitems_url: string | null;
  issuer: string;
  client_id: string;
}

/**
 * The grade outbox. A grade is a row written in the same transaction as the result it grades; a Bull
 * job posts it to the LMS through AGS, retried with backoff until it arrives. Posting is idempotent (a
 * sent row is not sent again; the LMS keeps the latest score by its timestamp). A grade that cannot be
 * posted is marked failed with the reason, for the instructor to see and retry.
 */
@Injectable()
export class GradesService {
  private readonly logger = new Logger('Grades');
  private readonly attempts: number;

  constructor(
    private readonly db: DataSource,
    private readonly client: PlatformServiceClient,
    @InjectQueue(GRADES_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.attempts = attemptsFor(RETRY_WINDOW_MS, config.gradeRetryBaseMs);
  }

  /** Writes the grade into the outbox inside the caller's transaction; call `enqueue` after it commits. */
  async record(m: EntityManager, g: NewGrade): Promise<string> {
    await m.query(
      `INSERT INTO grade_line_item (course_id, activity_id, tag, label, score_maximum) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (activity_id, tag) DO UPDATE SET label = EXCLUDED.label, score_maximum = EXCLUDED.score_maximum`,
      [g.courseId, g.activityId, g.tag, g.label, g.scoreMaximum],
    );
    const [li] = await m.query(`SELECT id FROM grade_line_item WHERE activity_id = $1 AND tag = $2`, [g.activityId, g.tag]);
    // A newer grade for the same person and line item replaces one still waiting to be sent.
    await m.query(
      `UPDATE grade_outbox SET status = 'superseded' WHERE line_item_id = $1 AND user_id = $2 AND status IN ('pending', 'failed')`,
      [li.id, g.userId],
    );
    const [row] = await m.query(
      `INSERT INTO grade_outbox (course_id, line_item_id, user_id, score_given, score_maximum, activity_progress, grading_progress, comment, graded_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), 'pending') RETURNING id`,
      [g.courseId, li.id, g.userId, g.scoreGiven, g.scoreMaximum, g.activityProgress ?? 'Completed', g.gradingProgress ?? 'FullyGraded', g.comment ?? null],
    );
    return row.id;
  }

  /** Queues the post of an outbox row; the job id is the row id, so queuing twice is harmless. */
  async enqueue(outboxId: string): Promise<void> {
    await this.queue.add('post', { outboxId }, { jobId: outboxId, attempts: this.attempts, backoff: { type: 'capped' }, removeOnComplete: true });
  }

  /** Posts one outbox row. Throws a retryable error to let Bull try again; returns its final status otherwise. */
  async post(outboxId: string): Promise<'sent' | 'failed' | 'skipped'> {
    const [row]: OutboxRow[] = await this.db.query(
      `SELECT o.*, li.tag, li.label, li.score_maximum AS li_max, li.lms_url AS li_url, a.resource_link_id, a.lms_line_item_url AS activity_line_item_url,
              u.subject, s.ags_lineitems_url AS lineitems_url, p.issuer, p.client_id
         FROM grade_outbox o JOIN grade_line_item li ON li.id = o.line_item_id JOIN classroom_activity a ON a.id = li.activity_id
         JOIN lti_user u ON u.id = o.user_id JOIN course c ON c.id = o.course_id JOIN lti_platform p ON p.id = c.platform_id
         LEFT JOIN course_lti_service s ON s.course_id = o.course_id
        WHERE o.id = $1`,
      [outboxId],
    );
    if (!row || row.status !== 'pending') return 'skipped';
    await this.db.query(`UPDATE grade_outbox SET attempts = attempts + 1, last_attempt_at = now() WHERE id = $1`, [outboxId]);
    try {
      const platform = { issuer: row.issuer, clientId: row.client_id };
      const lineItemUrl = await this.ensureLineItem(row);
      await this.client.request(platform, [AGS_SCOPES.score], scoresUrl(lineItemUrl), {
        method: 'POST',
        contentType: AGS_MEDIA.score,
        body: agsScore({
          userSubject: row.subject,
          scoreGiven: Number(row.score_given),
          scoreMaximum: Number(row.score_maximum),
          activityProgress: row.activity_progress,
          gradingProgress: row.grading_progress,
          comment: row.comment,
          gradedAt: new Date(row.graded_at),
        }),
      });
      await this.db.query(`UPDATE grade_outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1 AND status = 'pending'`, [outboxId]);
      return 'sent';
    } catch (e) {
      const err = e instanceof PlatformServiceError ? e : new PlatformServiceError('GRADE_POST_FAILED', (e as Error).message, true);
      await this.db.query(`UPDATE grade_outbox SET last_error = $2 WHERE id = $1`, [outboxId, `${err.code}: ${err.message}`.slice(0, 1000)]);
      if (err.retryable) throw err;
      // A line item the LMS no longer knows: find or make it again on the next try.
      if (err.status === 404) await this.db.query(`UPDATE grade_line_item SET lms_url = NULL WHERE id = $1`, [row.line_item_id]);
      await this.markFailed(outboxId);
      return 'failed';
    }
  }

  /** The last attempt failed: the grade is kept, marked failed, visible with its reason. */
  async markFailed(outboxId: string): Promise<void> {
    await this.db.query(`UPDATE grade_outbox SET status = 'failed' WHERE id = $1 AND status = 'pending'`, [outboxId]);
  }

  /** Finds or creates the LMS line item for this grade (by resource link and tag), never a second one. */
  private async ensureLineItem(row: OutboxRow): Promise<string> {
    if (row.li_url) return row.li_url;
    // The line item the LMS made for this link when the instructor deep-linked a graded classroom.
    if (row.tag === ATTENDANCE_TAG && row.activity_line_item_url) return this.saveLineItemUrl(row.line_item_id, row.activity_line_item_url);
    if (!row.lineitems_url) throw new PlatformServiceError('AGS_NOT_OFFERED', 'The LMS has not offered a gradebook service (AGS) for this course', false);
    const platform = { issuer: row.issuer, clientId: row.client_id };
    const spec = { label: row.label, scoreMaximum: Number(row.li_max), resourceLinkId: row.resource_link_id, tag: row.tag };
    const list = new URL(row.lineitems_url);
    list.searchParams.set('resource_link_id', spec.resourceLinkId);
    list.searchParams.set('tag', spec.tag);
    const found = await this.client.request(platform, [AGS_SCOPES.lineItem], list.toString(), { accept: AGS_MEDIA.lineItemContainer });
    const existing = findLineItem(found.body, spec);
    if (existing) return this.saveLineItemUrl(row.line_item_id, existing);
    const created = await this.client.request<{ id?: unknown }>(platform, [AGS_SCOPES.lineItem], row.lineitems_url, {
      method: 'POST',
      contentType: AGS_MEDIA.lineItem,
      accept: AGS_MEDIA.lineItem,
      body: lineItemBody(spec),
    });
    if (typeof created.body?.id !== 'string') throw new PlatformServiceError('AGS_BAD_RESPONSE', 'The LMS created a line item without an id', true);
    return this.saveLineItemUrl(row.line_item_id, created.body.id);
  }

  private async saveLineItemUrl(lineItemId: string, url: string): Promise<string> {
    // Two workers may race here; the first URL stored wins and both use it.
    const [row] = await this.db.query(
      `UPDATE grade_line_item SET lms_url = coalesce(lms_url, $2) WHERE id = $1 RETURNING lms_url`,
      [lineItemId, url],
    );
    return row[0]?.lms_url ?? url;
  }

  /** An instructor retries a failed grade: it goes back to pending and is queued again. */
  async retry(courseId: string, outboxId: string): Promise<void> {
    const res = await this.db.query(
      `UPDATE grade_outbox SET status = 'pending', last_error = NULL WHERE id = $1 AND course_id = $2 AND status = 'failed' RETURNING id`,
      [outboxId, courseId],
    );
    if (res[0].length === 0) {
      const [exists] = await this.db.query(`SELECT status FROM grade_outbox WHERE id = $1 AND course_id = $2`, [outboxId, courseId]);
      if (!exists) throw new NotFoundError('GRADE_NOT_FOUND', 'No such grade in your course');
      throw new ConflictError('GRADE_NOT_FAILED', `This grade is ${exists.status}, not failed`);
    }
    const old = await this.queue.getJob(outboxId);
    if (old) await old.remove();
    await this.enqueue(outboxId);
  }

  /** Queues pending rows that have no job (e.g. the process died between commit and enqueue, or Redis lost its data). */
  async sweep(olderThanSeconds = 30): Promise<number> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM grade_outbox WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT 1000`,
      [olderThanSeconds],
    );
    let queued = 0;
    for (const r of rows) {
      const job = await this.queue.getJob(r.id);
      if (job) {
        const state = await job.getState();
        if (state !== 'failed' && state !== 'completed') continue;
        // A job that ended without the row following it (stalled out, or the failure hook failed).
        if (state === 'failed' && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          await this.markFailed(r.id);
          await job.remove();
          continue;
        }
        await job.remove();
      }
      await this.enqueue(r.id);
      queued++;
    }
    if (queued) this.logger.warn(`re-queued ${queued} pending grades that had no job`);
    return queued;
  }
}
