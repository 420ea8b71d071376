import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recordings after class: one row per recorded class, moved along by the after-class Bull job (status,
 * stage and percent for the instructor's progress bar, the steps already done so an interrupted job
 * resumes, the last error and the tries so a failing one is shown with its reason), where its files are
 * stored, and whether the instructor hid it (step_log: each step started, when and by which process, so a
 * resumed job can be seen not to redo finished steps). Each viewer's place in a recording (resume where they
 * stopped). And the board's op log with times, kept after class (Redis drops it): the recording paints the
 * board from it and the player replays it beside the video.
 */
export class CreateRecording1796370500000 implements MigrationInterface {
  name = 'CreateRecording1796370500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE recording (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL UNIQUE REFERENCES live_session(id) ON DELETE CASCADE,
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'ready', 'failed', 'empty')),
      stage text,
      percent integer NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
      steps_done text[] NOT NULL DEFAULT '{}',
      step_log jsonb NOT NULL DEFAULT '[]',
      attempts integer NOT NULL DEFAULT 0,
      error text,
      storage_prefix text,
      duration_ms integer,
      chapters jsonb NOT NULL DEFAULT '[]',
      hidden boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      ready_at timestamptz
    )`);
    await q.query(`CREATE INDEX recording_course ON recording (course_id, created_at DESC)`);
    await q.query(`CREATE TABLE recording_position (
      recording_id uuid NOT NULL REFERENCES recording(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      position_ms integer NOT NULL CHECK (position_ms >= 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (recording_id, user_id)
    )`);
    await q.query(`CREATE TABLE whiteboard_op_history (
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      pos integer NOT NULL,
      at timestamptz NOT NULL,
      user_id text NOT NULL,
      op jsonb NOT NULL,
      PRIMARY KEY (session_id, pos)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS whiteboard_op_history`);
    await q.query(`DROP TABLE IF EXISTS recording_position`);
    await q.query(`DROP TABLE IF EXISTS recording`);
  }
}
