import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attendance mail: guardian contacts imported per course (the student by LMS subject), one note per
 * class, student and recipient (its row is what makes the send idempotent), and the instructors' and
 * admins' subscriptions to a weekly or monthly course report (the last period sent).
 */
export class CreateAttendanceMail1796362500000 implements MigrationInterface {
  name = 'CreateAttendanceMail1796362500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE attendance_guardian_contact (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      student_subject text NOT NULL,
      email text NOT NULL,
      name text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (course_id, student_subject, email)
    )`);
    await q.query(`CREATE TABLE attendance_note (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      recipient text NOT NULL,
      recipient_kind text NOT NULL CHECK (recipient_kind IN ('student', 'guardian')),
      subject text NOT NULL,
      body text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      UNIQUE (session_id, user_id, recipient)
    )`);
    await q.query(`CREATE TABLE attendance_report_subscription (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      email text NOT NULL,
      frequency text NOT NULL CHECK (frequency IN ('weekly', 'monthly')),
      last_period_end date,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (course_id, user_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['attendance_report_subscription', 'attendance_note', 'attendance_guardian_contact'])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}
