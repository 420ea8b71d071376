import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attendance: each person's spans in a class (one row per join, closed at the leave, or at the time the
 * instance holding them died), each tab's Page Visibility changes (active = in a span and a tab visible),
 * thresholds per platform and per classroom, the classroom's grading mode, the attendance grade computed
 * per session, and the course's time zone for reports (null: UTC).
 */
export class CreateAttendance1796362000000 implements MigrationInterface {
  name = 'CreateAttendance1796362000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE course ADD COLUMN time_zone text`);
    await q.query(`CREATE TABLE attendance_span (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      role text NOT NULL,
      joined_at timestamptz NOT NULL,
      left_at timestamptz,
      left_reason text CHECK (left_reason IN ('left', 'disconnected', 'removed', 'ended', 'lost')),
      CHECK (left_at IS NULL OR left_at >= joined_at)
    )`);
    await q.query(`CREATE INDEX attendance_span_session ON attendance_span (session_id, user_id, joined_at)`);
    await q.query(`CREATE INDEX attendance_span_open ON attendance_span (session_id, user_id) WHERE left_at IS NULL`);
    await q.query(`CREATE INDEX attendance_span_course ON attendance_span (course_id, joined_at)`);
    await q.query(`CREATE TABLE attendance_visibility (
      id bigserial PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      tab text NOT NULL,
      visible boolean NOT NULL,
      at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX attendance_visibility_session ON attendance_visibility (session_id, user_id, at)`);
    await q.query(`CREATE TABLE attendance_platform_settings (
      platform_id uuid PRIMARY KEY REFERENCES lti_platform(id) ON DELETE CASCADE,
      thresholds jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE attendance_classroom_settings (
      activity_id uuid PRIMARY KEY REFERENCES classroom_activity(id) ON DELETE CASCADE,
      thresholds jsonb,
      grading_mode text NOT NULL DEFAULT 'percent' CHECK (grading_mode IN ('percent', 'threshold')),
      auto_grade boolean NOT NULL DEFAULT true,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE attendance_grade (
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      status text NOT NULL,
      present_ms bigint NOT NULL,
      active_ms bigint NOT NULL,
      score numeric,
      source text CHECK (source IN ('auto', 'manual')),
      outbox_id uuid,
      thresholds jsonb NOT NULL,
      computed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (session_id, user_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'attendance_grade',
      'attendance_classroom_settings',
      'attendance_platform_settings',
      'attendance_visibility',
      'attendance_span',
    ])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query(`ALTER TABLE course DROP COLUMN IF EXISTS time_zone`);
  }
}
