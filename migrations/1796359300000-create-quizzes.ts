import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live quizzes and polls: the course's question bank, each quiz launched in a class (with its own copy of
 * its questions, so editing the bank never changes a quiz already asked), the answers, and who was there
 * when it closed (present, score).
 */
export class CreateQuizzes1796359300000 implements MigrationInterface {
  name = 'CreateQuizzes1796359300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE quiz_question (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      body jsonb NOT NULL,
      created_by uuid REFERENCES lti_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`);
    await q.query(
      `CREATE INDEX quiz_question_course ON quiz_question (course_id, created_at) WHERE deleted_at IS NULL`,
    );
    await q.query(`CREATE TABLE quiz (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      course_id uuid NOT NULL REFERENCES course(id) ON DELETE CASCADE,
      activity_id uuid NOT NULL REFERENCES classroom_activity(id) ON DELETE CASCADE,
      session_id uuid NOT NULL REFERENCES live_session(id) ON DELETE CASCADE,
      title text NOT NULL,
      launched_by uuid REFERENCES lti_user(id) ON DELETE SET NULL,
      launched_at timestamptz NOT NULL DEFAULT now(),
      closes_at timestamptz,
      closed_at timestamptz,
      close_reason text CHECK (close_reason IN ('teacher', 'time')),
      revealed_at timestamptz,
      graded boolean NOT NULL,
      points numeric NOT NULL CHECK (points > 0),
      zero_for_unanswered boolean NOT NULL,
      allow_change boolean NOT NULL,
      anonymous boolean NOT NULL
    )`);
    // One open quiz per class, whichever instance launches it.
    await q.query(`CREATE UNIQUE INDEX quiz_one_open ON quiz (session_id) WHERE closed_at IS NULL`);
    await q.query(`CREATE INDEX quiz_activity ON quiz (activity_id, launched_at DESC)`);
    await q.query(`CREATE TABLE quiz_item (
      quiz_id uuid NOT NULL REFERENCES quiz(id) ON DELETE CASCADE,
      question_id uuid NOT NULL,
      position integer NOT NULL,
      body jsonb NOT NULL,
      PRIMARY KEY (quiz_id, question_id)
    )`);
    await q.query(`CREATE TABLE quiz_answer (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      quiz_id uuid NOT NULL REFERENCES quiz(id) ON DELETE CASCADE,
      question_id uuid NOT NULL,
      respondent uuid NOT NULL,
      user_id uuid REFERENCES lti_user(id) ON DELETE CASCADE,
      answer jsonb NOT NULL,
      answer_ms integer NOT NULL,
      answered_at timestamptz NOT NULL,
      revision integer NOT NULL,
      marked_correct boolean,
      UNIQUE (quiz_id, question_id, respondent),
      FOREIGN KEY (quiz_id, question_id) REFERENCES quiz_item(quiz_id, question_id) ON DELETE CASCADE
    )`);
    await q.query(`CREATE TABLE quiz_attendee (
      quiz_id uuid NOT NULL REFERENCES quiz(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES lti_user(id) ON DELETE CASCADE,
      present boolean NOT NULL,
      answered boolean NOT NULL,
      score numeric,
      PRIMARY KEY (quiz_id, user_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['quiz_attendee', 'quiz_answer', 'quiz_item', 'quiz', 'quiz_question'])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}
