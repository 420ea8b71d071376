import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * LMS observers as guardian contacts, and time zones for attendance reports.
 *
 * `roster_observer_link`: an observer (LIS role Mentor; Canvas's observers) linked to a student of the course,
 * from the `role_scope_mentor` claim of the observer's own launch (`source` launch) or of an NRPS member
 * (`source` nrps: replaced at every sync). Both people are LMS subjects of the course's platform; the
 * observer's email is the one the LMS gave with the link.
 *
 * `attendance_platform_settings.time_zone`: the platform's default zone for courses that set none (an
 * operator's setting); its thresholds may now be unset (null: Lectern's defaults) so that a zone can be set alone.
 */
export class AddObserversAndTimeZones1796372000000 implements MigrationInterface {
  name = 'AddObserversAndTimeZones1796372000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE roster_observer_link (
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      observer_subject text NOT NULL,
      student_subject text NOT NULL,
      email text,
      name text,
      source text NOT NULL CHECK (source IN ('launch', 'nrps')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (course_id, observer_subject, student_subject, source)
    )`);
    await q.query(`CREATE INDEX roster_observer_link_student ON roster_observer_link (course_id, student_subject)`);
    await q.query(`ALTER TABLE attendance_platform_settings ADD COLUMN time_zone text`);
    await q.query(`ALTER TABLE attendance_platform_settings ALTER COLUMN thresholds DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM attendance_platform_settings WHERE thresholds IS NULL`);
    await q.query(`ALTER TABLE attendance_platform_settings ALTER COLUMN thresholds SET NOT NULL`);
    await q.query(`ALTER TABLE attendance_platform_settings DROP COLUMN IF EXISTS time_zone`);
    await q.query(`DROP TABLE IF EXISTS roster_observer_link`);
  }
}
