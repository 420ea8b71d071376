import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { GuardianContactInput } from '../domain/guardian-csv';

export interface NoteRow {
  id: string;
  recipient: string;
  subject: string;
  body: string;
  status: 'pending' | 'sent' | 'skipped' | 'failed';
}

export interface SubscriptionRow {
  id: string;
  courseId: string;
  userId: string;
  email: string;
  frequency: 'weekly' | 'monthly';
  lastPeriodEnd: string | null;
}

/** The SQL of attendance mail: guardian contacts, notes, report subscriptions. */
@Injectable()
export class AttendanceMailRepository {
  constructor(private readonly db: DataSource) {}

  /** Replaces the course's contacts of the students named in the import (others kept); returns how many stored. */
  async replaceContacts(
    courseId: string,
    contacts: Array<GuardianContactInput & { subject: string }>,
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      const subjects = [...new Set(contacts.map((c) => c.subject))];
      await tx.query(
        `DELETE FROM attendance_guardian_contact WHERE course_id = $1 AND student_subject = ANY($2::text[])`,
        [courseId, subjects],
      );
      for (const c of contacts) {
        await tx.query(
          `INSERT INTO attendance_guardian_contact (course_id, student_subject, email, name) VALUES ($1, $2, $3, $4)
           ON CONFLICT (course_id, student_subject, email) DO UPDATE SET name = EXCLUDED.name`,
          [courseId, c.subject, c.email, c.name],
        );
      }
      return contacts.length;
    });
  }

  async contacts(courseId: string): Promise<Array<{ subject: string; email: string; name: string | null }>> {
    const rows = await this.db.query(
      `SELECT student_subject, email, name FROM attendance_guardian_contact WHERE course_id = $1 ORDER BY student_subject, email`,
      [courseId],
    );
    return rows.map((r: Record<string, string | null>) => ({
      subject: r.student_subject!,
      email: r.email!,
      name: r.name,
    }));
  }

  /** Inserts the note unless this class already has one for this student and recipient; returns its id either way. */
  async ensureNote(n: {
    sessionId: string;
    courseId: string;
    userId: string;
    recipient: string;
    kind: 'student' | 'guardian';
    subject: string;
    body: string;
  }): Promise<string> {
    const rows = await this.db.query(
      `INSERT INTO attendance_note (session_id, course_id, user_id, recipient, recipient_kind, subject, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (session_id, user_id, recipient) DO UPDATE SET recipient = EXCLUDED.recipient
       RETURNING id`,
      [n.sessionId, n.courseId, n.userId, n.recipient, n.kind, n.subject, n.body],
    );
    return rows[0].id;
  }

  async note(id: string): Promise<NoteRow | null> {
    const [r] = await this.db.query(`SELECT id, recipient, subject, body, status FROM attendance_note WHERE id = $1`, [
      id,
    ]);
    return r ?? null;
  }

  async markNote(id: string, status: 'sent' | 'skipped' | 'failed', error: string | null = null): Promise<void> {
    await this.db.query(
      `UPDATE attendance_note SET status = $2, last_error = $3, attempts = attempts + 1,
         sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END WHERE id = $1`,
      [id, status, error],
    );
  }

  async noteAttempted(id: string, error: string): Promise<void> {
    await this.db.query(`UPDATE attendance_note SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
      id,
      error,
    ]);
  }

  async notes(sessionId: string): Promise<Array<{ userId: string; recipient: string; kind: string; status: string }>> {
    const rows = await this.db.query(
      `SELECT user_id, recipient, recipient_kind, status FROM attendance_note WHERE session_id = $1 ORDER BY recipient`,
      [sessionId],
    );
    return rows.map((r: Record<string, string>) => ({
      userId: r.user_id,
      recipient: r.recipient,
      kind: r.recipient_kind,
      status: r.status,
    }));
  }

  async subscribe(courseId: string, userId: string, email: string, frequency: 'weekly' | 'monthly'): Promise<void> {
    await this.db.query(
      `INSERT INTO attendance_report_subscription (course_id, user_id, email, frequency) VALUES ($1, $2, $3, $4)
       ON CONFLICT (course_id, user_id) DO UPDATE SET email = EXCLUDED.email, frequency = EXCLUDED.frequency`,
      [courseId, userId, email, frequency],
    );
  }

  async unsubscribe(courseId: string, userId: string): Promise<void> {
    await this.db.query(`DELETE FROM attendance_report_subscription WHERE course_id = $1 AND user_id = $2`, [
      courseId,
      userId,
    ]);
  }

  async subscription(courseId: string, userId: string): Promise<SubscriptionRow | null> {
    const [r] = await this.subscriptionsWhere(`course_id = $1 AND user_id = $2`, [courseId, userId]);
    return r ?? null;
  }

  allSubscriptions(): Promise<SubscriptionRow[]> {
    return this.subscriptionsWhere('true', []);
  }

  subscriptionById(id: string): Promise<SubscriptionRow | null> {
    return this.subscriptionsWhere(`id = $1`, [id]).then((r) => r[0] ?? null);
  }

  /** Records that the period ending `periodEnd` was sent (never moves backwards). */
  async periodSent(id: string, periodEnd: string): Promise<void> {
    await this.db.query(
      `UPDATE attendance_report_subscription SET last_period_end = $2::date
       WHERE id = $1 AND (last_period_end IS NULL OR last_period_end < $2::date)`,
      [id, periodEnd],
    );
  }

  private async subscriptionsWhere(where: string, params: unknown[]): Promise<SubscriptionRow[]> {
    const rows = await this.db.query(
      `SELECT id, course_id, user_id, email, frequency, to_char(last_period_end, 'YYYY-MM-DD') AS last_period_end
       FROM attendance_report_subscription WHERE ${where}`,
      params,
    );
    return rows.map((r: Record<string, string | null>) => ({
      id: r.id!,
      courseId: r.course_id!,
      userId: r.user_id!,
      email: r.email!,
      frequency: r.frequency as 'weekly' | 'monthly',
      lastPeriodEnd: r.last_period_end,
    }));
  }
}
