import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { ActivityProgress, GradingProgress } from '../domain/ags';

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'superseded';

/** A grade to write into the outbox. */
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

/** An outbox row with its line item: what posting a grade needs from the grades' own tables. */
export interface OutboxEntry {
  id: string;
  courseId: string;
  userId: string;
  status: OutboxStatus;
  scoreGiven: number;
  scoreMaximum: number;
  activityProgress: ActivityProgress;
  gradingProgress: GradingProgress;
  comment: string | null;
  gradedAt: Date;
  lineItem: { id: string; activityId: string; tag: string; label: string; scoreMaximum: number; lmsUrl: string | null };
}

/** The newest grade (not superseded) of one person on a line item, as the gradebook shows it. */
export interface LatestGrade {
  outboxId: string;
  userId: string;
  scoreGiven: number;
  scoreMaximum: number;
  status: Exclude<OutboxStatus, 'superseded'>;
  attempts: number;
  lastError: string | null;
  gradedAt: Date;
  sentAt: Date | null;
}

/**
 * The grades' tables: line items (`grade_line_item`) and the outbox (`grade_outbox`). A grade is written
 * inside the caller's transaction (`transaction`, then `record` with its EntityManager), so it commits
 * with what it grades.
 */
@Injectable()
export class GradeOutboxRepository {
  constructor(private readonly db: DataSource) {}

  /** Outbox rows by status across the deployment (metrics: grades waiting to post and failed). */
  async countsByStatus(): Promise<Array<{ status: string; count: number }>> {
    const rows: Array<{ status: string; count: string }> = await this.db.query(
      `SELECT status, count(*) AS count FROM grade_outbox WHERE status IN ('pending', 'failed') GROUP BY status`,
    );
    return rows.map((r) => ({ status: r.status, count: Number(r.count) }));
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Writes the grade (and its line item) inside the transaction; a newer grade supersedes one still waiting. Returns the row id. */
  async record(tx: EntityManager, g: NewGrade): Promise<string> {
    await tx.query(
      `INSERT INTO grade_line_item (course_id, activity_id, tag, label, score_maximum) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (activity_id, tag) DO UPDATE SET label = EXCLUDED.label, score_maximum = EXCLUDED.score_maximum`,
      [g.courseId, g.activityId, g.tag, g.label, g.scoreMaximum],
    );
    const [li] = await tx.query(`SELECT id FROM grade_line_item WHERE activity_id = $1 AND tag = $2`, [
      g.activityId,
      g.tag,
    ]);
    await tx.query(
      `UPDATE grade_outbox SET status = 'superseded' WHERE line_item_id = $1 AND user_id = $2 AND status IN ('pending', 'failed')`,
      [li.id, g.userId],
    );
    const [row] = await tx.query(
      `INSERT INTO grade_outbox (course_id, line_item_id, user_id, score_given, score_maximum, activity_progress, grading_progress, comment, graded_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), 'pending') RETURNING id`,
      [
        g.courseId,
        li.id,
        g.userId,
        g.scoreGiven,
        g.scoreMaximum,
        g.activityProgress ?? 'Completed',
        g.gradingProgress ?? 'FullyGraded',
        g.comment ?? null,
      ],
    );
    return row.id;
  }

  async find(outboxId: string): Promise<OutboxEntry | null> {
    const [r] = await this.db.query(
      `SELECT o.id, o.course_id, o.user_id, o.status, o.score_given, o.score_maximum, o.activity_progress, o.grading_progress, o.comment, o.graded_at,
              li.id AS li_id, li.activity_id, li.tag, li.label, li.score_maximum AS li_max, li.lms_url
         FROM grade_outbox o JOIN grade_line_item li ON li.id = o.line_item_id WHERE o.id = $1`,
      [outboxId],
    );
    if (!r) return null;
    return {
      id: r.id,
      courseId: r.course_id,
      userId: r.user_id,
      status: r.status,
      scoreGiven: Number(r.score_given),
      scoreMaximum: Number(r.score_maximum),
      activityProgress: r.activity_progress,
      gradingProgress: r.grading_progress,
      comment: r.comment,
      gradedAt: new Date(r.graded_at),
      lineItem: {
        id: r.li_id,
        activityId: r.activity_id,
        tag: r.tag,
        label: r.label,
        scoreMaximum: Number(r.li_max),
        lmsUrl: r.lms_url,
      },
    };
  }

  async countAttempt(outboxId: string): Promise<void> {
    await this.db.query(`UPDATE grade_outbox SET attempts = attempts + 1, last_attempt_at = now() WHERE id = $1`, [
      outboxId,
    ]);
  }

  async markSent(outboxId: string): Promise<void> {
    await this.db.query(
      `UPDATE grade_outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1 AND status = 'pending'`,
      [outboxId],
    );
  }

  async recordError(outboxId: string, error: string): Promise<void> {
    await this.db.query(`UPDATE grade_outbox SET last_error = $2 WHERE id = $1`, [outboxId, error]);
  }

  /** A pending grade gives up: failed, kept with its reason. */
  async markFailed(outboxId: string): Promise<void> {
    await this.db.query(`UPDATE grade_outbox SET status = 'failed' WHERE id = $1 AND status = 'pending'`, [outboxId]);
  }

  /** A failed grade of the course goes back to pending; false when there is no failed grade with this id in the course. */
  async reopenFailed(outboxId: string, courseId: string): Promise<boolean> {
    // An UPDATE answers [rows, count].
    const [rows] = await this.db.query(
      `UPDATE grade_outbox SET status = 'pending', last_error = NULL WHERE id = $1 AND course_id = $2 AND status = 'failed' RETURNING id`,
      [outboxId, courseId],
    );
    return rows.length > 0;
  }

  async status(outboxId: string, courseId: string): Promise<OutboxStatus | null> {
    const [row] = await this.db.query(`SELECT status FROM grade_outbox WHERE id = $1 AND course_id = $2`, [
      outboxId,
      courseId,
    ]);
    return row?.status ?? null;
  }

  /** Pending rows written more than `olderThanSeconds` ago, oldest first (at most `limit`). */
  async pendingIds(olderThanSeconds: number, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM grade_outbox WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Stores the LMS URL of a line item unless one was stored first; returns the URL kept. */
  async saveLineItemUrl(lineItemId: string, url: string): Promise<string> {
    // Two workers may race here; the first URL stored wins and both use it.
    const [rows] = await this.db.query(
      `UPDATE grade_line_item SET lms_url = coalesce(lms_url, $2) WHERE id = $1 RETURNING lms_url`,
      [lineItemId, url],
    );
    return rows[0]?.lms_url ?? url;
  }

  /** The LMS URL stored for a line item (null until it was found or made). */
  async lineItemUrl(lineItemId: string): Promise<string | null> {
    const rows = await this.db.query(`SELECT lms_url FROM grade_line_item WHERE id = $1`, [lineItemId]);
    return rows[0]?.lms_url ?? null;
  }

  /**
   * Runs `fn` holding a PostgreSQL advisory lock on one line item (every instance, every worker): finding or
   * making a line item in the LMS is a read then a create, so two grades posted at once (a quiz closing
   * posts the whole class) must not both create it.
   */
  async withLineItemLock<T>(lineItemId: string, fn: () => Promise<T>): Promise<T> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtextextended($1, 7146))`, [lineItemId]);
      try {
        return await fn();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 7146))`, [lineItemId]);
      }
    } finally {
      await runner.release();
    }
  }

  /** The LMS no longer knows the line item: found or made again on the next try. */
  async forgetLineItemUrl(lineItemId: string): Promise<void> {
    await this.db.query(`UPDATE grade_line_item SET lms_url = NULL WHERE id = $1`, [lineItemId]);
  }

  /** Each person's newest grade (not superseded) on the activity's line item with this tag. */
  async latest(activityId: string, tag: string): Promise<LatestGrade[]> {
    const rows = await this.db.query(
      `SELECT DISTINCT ON (o.user_id) o.id, o.user_id, o.score_given, o.score_maximum, o.status, o.attempts, o.last_error, o.graded_at, o.sent_at
         FROM grade_outbox o JOIN grade_line_item li ON li.id = o.line_item_id AND li.activity_id = $1 AND li.tag = $2
        WHERE o.status <> 'superseded' ORDER BY o.user_id, o.created_at DESC`,
      [activityId, tag],
    );
    return rows.map((r: Record<string, unknown>) => ({
      outboxId: r.id as string,
      userId: r.user_id as string,
      scoreGiven: Number(r.score_given),
      scoreMaximum: Number(r.score_maximum),
      status: r.status as LatestGrade['status'],
      attempts: Number(r.attempts),
      lastError: (r.last_error as string | null) ?? null,
      gradedAt: new Date(r.graded_at as Date),
      sentAt: r.sent_at ? new Date(r.sent_at as Date) : null,
    }));
  }
}
