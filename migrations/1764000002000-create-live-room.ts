import { MigrationInterface, QueryRunner } from 'typeorm';

/** The live room: chat messages (deduplicated by the client's id) and who was removed from a class. */
export class CreateLiveRoom1764000002000 implements MigrationInterface {
  name = 'CreateLiveRoom1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE chat_message (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      client_id uuid NOT NULL,
      author_name text NOT NULL,
      author_role text NOT NULL,
      text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 1000),
      created_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      deleted_by uuid REFERENCES lti_user(id),
      UNIQUE (session_id, user_id, client_id)
    )`);
    await q.query(`CREATE INDEX chat_message_session ON chat_message (session_id, created_at DESC)`);
    await q.query(`CREATE TABLE session_removal (
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      removed_by uuid NOT NULL REFERENCES lti_user(id),
      removed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (session_id, user_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS session_removal`);
    await q.query(`DROP TABLE IF EXISTS chat_message`);
  }
}
