import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Breakout rooms. A breakout room is a live room of its own, so it is a `live_session` row whose
 * `parent_session_id` is the class it was split from: its chat messages, saved board and media use the
 * tables and keys every live room uses. Only one top-level class runs per classroom at a time (the
 * partial unique index now leaves breakout rows out); every listing of classes filters them out.
 * `breakout_room` names each room and says which split (`run_id`) opened it; `breakout_plan` keeps the
 * rooms an instructor prepared for a course, reusable across classes.
 */
export class CreateBreakouts1796386000000 implements MigrationInterface {
  name = 'CreateBreakouts1796386000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE live_session ADD COLUMN parent_session_id uuid REFERENCES live_session(id) ON DELETE CASCADE`,
    );
    await q.query(
      `CREATE INDEX live_session_parent ON live_session (parent_session_id) WHERE parent_session_id IS NOT NULL`,
    );
    await q.query(`DROP INDEX live_session_one_live_per_activity`);
    await q.query(
      `CREATE UNIQUE INDEX live_session_one_live_per_activity ON live_session (activity_id)
        WHERE ended_at IS NULL AND parent_session_id IS NULL`,
    );
    await q.query(`CREATE TABLE breakout_room (
      id uuid PRIMARY KEY REFERENCES live_session(id) ON DELETE CASCADE,
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      run_id uuid NOT NULL,
      position integer NOT NULL,
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
      opened_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      UNIQUE (run_id, position)
    )`);
    await q.query(`CREATE INDEX breakout_room_session ON breakout_room (session_id, opened_at)`);
    await q.query(`CREATE TABLE breakout_plan (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
      rooms jsonb NOT NULL,
      created_by uuid NOT NULL REFERENCES lti_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX breakout_plan_course ON breakout_plan (course_id, updated_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS breakout_plan`);
    await q.query(`DROP TABLE IF EXISTS breakout_room`);
    await q.query(`DELETE FROM live_session WHERE parent_session_id IS NOT NULL`);
    await q.query(`DROP INDEX live_session_one_live_per_activity`);
    await q.query(
      `CREATE UNIQUE INDEX live_session_one_live_per_activity ON live_session (activity_id) WHERE ended_at IS NULL`,
    );
    await q.query(`ALTER TABLE live_session DROP COLUMN parent_session_id`);
  }
}
