import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recording capture (the live side): whether classes record (a platform default, overridable per
 * classroom), how long recordings are kept per platform, one row per FFmpeg capture run of a producer
 * (a restart after a crash is a new row, so the time between two runs of one producer is a recorded
 * gap), and the marks that become chapters (pause, resume, screen-share start/stop, gaps).
 *
 * Capture format (read by the composite job): each run copies its producer's codec (VP8/H.264 video,
 * Opus audio: no transcoding on the live host) into short Matroska segments (FFmpeg's segment muxer, about
 * two seconds each) in one folder, with FFmpeg's CSV segment list beside them; `playlist` is that list's
 * path relative to RECORDING_DIR (lines `file,start,end`, seconds from the run's first packet, which is
 * `started_at` on the wall clock). A run cut by a crash keeps every finished segment.
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
