import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recording capture (the live side): whether classes record (a platform default, overridable per
 * classroom), how long recordings are kept per platform, one row per FFmpeg capture run of a producer
 * (a restart after a crash is a new row, so the time between two runs of one producer is a recorded
 * gap), and the marks that become chapters (pause, resume, screen-share start/stop, gaps).
 *
 * Capture format (read by the composite job): each run writes an HLS playlist (`playlist`, relative to
 * RECORDING_DIR) of short MPEG-TS segments with EXT-X-PROGRAM-DATE-TIME on every segment, so every
 * track lines up on the wall clock; a run cut by a crash keeps all finished segments.
 */
export class CreateRecordingCapture1796370000000 implements MigrationInterface {
  name = 'CreateRecordingCapture1796370000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lti_platform
      ADD COLUMN recording_enabled boolean NOT NULL DEFAULT true,
      ADD COLUMN recording_retention_days integer CHECK (recording_retention_days IS NULL OR recording_retention_days > 0)`);
    await q.query(`ALTER TABLE classroom_activity ADD COLUMN recording_enabled boolean`);
    await q.query(`CREATE TABLE recording_track (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('video', 'audio', 'screen')),
      user_id uuid REFERENCES lti_user(id) ON DELETE SET NULL,
      role text NOT NULL DEFAULT 'student',
      producer_id text NOT NULL,
      playlist text NOT NULL,
      instance text,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      end_reason text
    )`);
    await q.query(`CREATE INDEX recording_track_session ON recording_track (session_id, started_at)`);
    await q.query(`CREATE TABLE recording_mark (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      at timestamptz NOT NULL,
      kind text NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'screen-start', 'screen-stop', 'gap', 'stop')),
      label text,
      user_id uuid REFERENCES lti_user(id) ON DELETE SET NULL
    )`);
    await q.query(`CREATE INDEX recording_mark_session ON recording_mark (session_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS recording_mark`);
    await q.query(`DROP TABLE IF EXISTS recording_track`);
    await q.query(`ALTER TABLE classroom_activity DROP COLUMN IF EXISTS recording_enabled`);
    await q.query(
      `ALTER TABLE lti_platform DROP COLUMN IF EXISTS recording_enabled, DROP COLUMN IF EXISTS recording_retention_days`,
    );
  }
}
