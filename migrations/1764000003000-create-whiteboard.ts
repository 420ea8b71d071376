import { MigrationInterface, QueryRunner } from 'typeorm';

/** The board of each class after it ends (read-only, for students to study), and when its pages changed (recording chapters). */
export class CreateWhiteboard1764000003000 implements MigrationInterface {
  name = 'CreateWhiteboard1764000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE whiteboard_snapshot (
      session_id uuid PRIMARY KEY REFERENCES live_session(id) ON DELETE CASCADE,
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      page_order text[] NOT NULL,
      pages jsonb NOT NULL,
      saved_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE whiteboard_page_event (
      id bigserial PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      page text NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX whiteboard_page_event_session ON whiteboard_page_event (session_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS whiteboard_page_event`);
    await q.query(`DROP TABLE IF EXISTS whiteboard_snapshot`);
  }
}
