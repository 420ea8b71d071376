import { MigrationInterface, QueryRunner } from 'typeorm';

/** LTI Advantage: the services a course's launches announce, the synced roster, grade line items and the grade outbox. */
export class CreateLtiAdvantage1764000001000 implements MigrationInterface {
  name = 'CreateLtiAdvantage1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE course_lti_service (
      course_id uuid PRIMARY KEY REFERENCES course(id) ON DELETE CASCADE,
      nrps_url text,
      ags_lineitems_url text,
      ags_scopes text[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE roster_member (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      subject text NOT NULL,
      name text NOT NULL,
      email text,
      lti_roles text[] NOT NULL DEFAULT '{}',
      role text,
      status text NOT NULL CHECK (status IN ('active', 'inactive', 'deleted')),
      synced_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (course_id, subject)
    )`);
    await q.query(`CREATE TABLE roster_sync (
      course_id uuid PRIMARY KEY REFERENCES course(id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      members integer,
      pages integer,
      error text
    )`);
    await q.query(`CREATE TABLE grade_line_item (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      activity_id uuid NOT NULL REFERENCES classroom_activity(id) ON DELETE CASCADE,
      tag text NOT NULL,
      label text NOT NULL,
      score_maximum numeric NOT NULL CHECK (score_maximum > 0),
      lms_url text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (activity_id, tag)
    )`);
    await q.query(`CREATE TABLE grade_outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      line_item_id uuid NOT NULL REFERENCES grade_line_item(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      score_given numeric NOT NULL CHECK (score_given >= 0),
      score_maximum numeric NOT NULL CHECK (score_maximum > 0),
      activity_progress text NOT NULL,
      grading_progress text NOT NULL,
      comment text,
      graded_at timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'superseded')),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      last_attempt_at timestamptz,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `CREATE INDEX grade_outbox_pending ON grade_outbox (status, created_at) WHERE status IN ('pending', 'failed')`,
    );
    await q.query(`CREATE INDEX grade_outbox_user ON grade_outbox (line_item_id, user_id, created_at DESC)`);
    // The dev LMS's gradebook (development only, like its keys).
    await q.query(`CREATE TABLE dev_platform_lineitem (
      id serial PRIMARY KEY,
      course_id text NOT NULL,
      label text NOT NULL,
      score_maximum numeric NOT NULL,
      resource_link_id text,
      resource_id text,
      tag text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE dev_platform_score (
      id serial PRIMARY KEY,
      lineitem_id integer NOT NULL REFERENCES dev_platform_lineitem(id) ON DELETE CASCADE,
      user_id text NOT NULL,
      score_given numeric,
      score_maximum numeric,
      activity_progress text NOT NULL,
      grading_progress text NOT NULL,
      comment text,
      timestamp timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'dev_platform_score',
      'dev_platform_lineitem',
      'grade_outbox',
      'grade_line_item',
      'roster_sync',
      'roster_member',
      'course_lti_service',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
