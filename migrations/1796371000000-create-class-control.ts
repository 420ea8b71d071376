import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Class control: the waiting room switch per classroom (off by default), guest invite links and the
 * guests who came by them. A guest is an `lti_user` of the course's platform with a subject
 * `lectern-guest:<uuid>` and no enrolment, so the roster, grades and attendance grades never list them;
 * `class_guest` says which class they were let into and when their access ended (and why).
 * The waiting list, admissions, locks and unmute requests of a live class are in Redis (they live as
 * long as the class).
 */
export class CreateClassControl1796371000000 implements MigrationInterface {
  name = 'CreateClassControl1796371000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE classroom_control (
      activity_id uuid PRIMARY KEY REFERENCES classroom_activity(id) ON DELETE CASCADE,
      waiting_room boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE guest_link (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      activity_id uuid NOT NULL REFERENCES classroom_activity(id) ON DELETE CASCADE,
      created_by uuid NOT NULL REFERENCES lti_user(id),
      label text CHECK (char_length(label) <= 80),
      expires_at timestamptz NOT NULL,
      single_use boolean NOT NULL,
      needs_admission boolean NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX guest_link_activity ON guest_link (activity_id, created_at DESC)`);
    await q.query(`CREATE TABLE class_guest (
      user_id uuid PRIMARY KEY REFERENCES lti_user(id) ON DELETE CASCADE,
      link_id uuid NOT NULL REFERENCES guest_link(id) ON DELETE CASCADE,
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      name text NOT NULL,
      entered_at timestamptz NOT NULL DEFAULT now(),
      ended_at timestamptz,
      ended_reason text CHECK (ended_reason IN ('revoked', 'removed', 'class-ended'))
    )`);
    await q.query(`CREATE INDEX class_guest_link ON class_guest (link_id)`);
    await q.query(`CREATE INDEX class_guest_session ON class_guest (session_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS class_guest`);
    await q.query(`DROP TABLE IF EXISTS guest_link`);
    await q.query(`DROP TABLE IF EXISTS classroom_control`);
  }
}
