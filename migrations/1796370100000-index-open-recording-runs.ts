import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Capture runs still open: every instance looks for those a dead instance left (recording-capture
 * service, every few seconds), so that look must not read every run ever recorded.
 */
export class IndexOpenRecordingRuns1796370100000 implements MigrationInterface {
  name = 'IndexOpenRecordingRuns1796370100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX recording_track_open ON recording_track (instance) WHERE ended_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS recording_track_open`);
  }
}
