import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import type { QuestionDraft, QuizAnswer, TeacherQuestion } from '../../contracts/quiz';

type Db = DataSource | EntityManager;

export interface BankQuestionRow {
  id: string;
  draft: QuestionDraft;
  createdAt: Date;
  updatedAt: Date;
}

/** A quiz as launched, with its own copies of its questions, in order. */
export interface QuizRow {
  id: string;
  courseId: string;
  activityId: string;
  sessionId: string;
  title: string;
  launchedAt: Date;
  closesAt: Date | null;
  closedAt: Date | null;
  closeReason: 'teacher' | 'time' | null;
  revealedAt: Date | null;
  graded: boolean;
  points: number;
  zeroForUnanswered: boolean;
  allowChange: boolean;
  anonymous: boolean;
  questions: TeacherQuestion[];
}

export interface NewQuiz {
  courseId: string;
  activityId: string;
  sessionId: string;
  title: string;
  launchedBy: string;
  timeLimitSeconds: number | null;
  graded: boolean;
  points: number;
  zeroForUnanswered: boolean;
  allowChange: boolean;
  anonymous: boolean;
}

export interface AnswerRow {
  id: string;
  questionId: string;
  respondent: string;
  userId: string | null;
  answer: QuizAnswer;
  answerMs: number;
  answeredAt: Date;
  markedCorrect: boolean | null;
}

export interface NewAnswer {
  quizId: string;
  questionId: string;
  respondent: string;
  userId: string | null;
  answer: QuizAnswer;
  answerMs: number;
  answeredAt: Date;
  revision: number;
}

export interface AttendeeRow {
  userId: string;
  present: boolean;
  answered: boolean;
  score: number | null;
}

export class QuizAlreadyOpen extends Error {}

const QUIZ_COLUMNS = `id, course_id, activity_id, session_id, title, launched_at, closes_at, closed_at, close_reason, revealed_at, graded, points,
  zero_for_unanswered, allow_change, anonymous`;
const date = (v: unknown) => (v ? new Date(v as Date) : null);
/**
 * How many people answered quiz `q`: once closed, its attendees who answered (an anonymous poll's
 * respondent ids differ per question, so they cannot be counted); while open, the distinct respondents.
 */
const ANSWERED_SQL = `CASE WHEN q.closed_at IS NOT NULL
    THEN (SELECT count(*) FROM quiz_attendee t WHERE t.quiz_id = q.id AND t.answered)
    ELSE (SELECT count(DISTINCT respondent) FROM quiz_answer a WHERE a.quiz_id = q.id) END`;

function toQuiz(r: Record<string, unknown>, questions: TeacherQuestion[]): QuizRow {
  return {
    id: r.id as string,
    courseId: r.course_id as string,
    activityId: r.activity_id as string,
    sessionId: r.session_id as string,
    title: r.title as string,
    launchedAt: new Date(r.launched_at as Date),
    closesAt: date(r.closes_at),
    closedAt: date(r.closed_at),
    closeReason: (r.close_reason as QuizRow['closeReason']) ?? null,
    revealedAt: date(r.revealed_at),
    graded: r.graded as boolean,
    points: Number(r.points),
    zeroForUnanswered: r.zero_for_unanswered as boolean,
    allowChange: r.allow_change as boolean,
    anonymous: r.anonymous as boolean,
    questions,
  };
}

const toAnswer = (r: Record<string, unknown>): AnswerRow => ({
  id: r.id as string,
  questionId: r.question_id as string,
  respondent: r.respondent as string,
  userId: (r.user_id as string | null) ?? null,
  answer: r.answer as QuizAnswer,
  answerMs: Number(r.answer_ms),
  answeredAt: new Date(r.answered_at as Date),
  markedCorrect: (r.marked_correct as boolean | null) ?? null,
});

/** The quiz tables: the bank (`quiz_question`), quizzes and their questions, answers and attendees. Reads are scoped to a course. */
@Injectable()
export class QuizRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  // ---- the bank ----

  async bank(courseId: string): Promise<BankQuestionRow[]> {
    const rows = await this.db.query(
      `SELECT id, body, created_at, updated_at FROM quiz_question WHERE course_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
      [courseId],
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id,
      draft: r.body,
      createdAt: new Date(r.created_at as Date),
      updatedAt: new Date(r.updated_at as Date),
    }));
  }

  async addQuestion(
    courseId: string,
    userId: string,
    draft: QuestionDraft,
    db: Db = this.db,
  ): Promise<BankQuestionRow> {
    const [r] = await db.query(
      `INSERT INTO quiz_question (course_id, created_by, body) VALUES ($1, $2, $3) RETURNING id, created_at, updated_at`,
      [courseId, userId, JSON.stringify(draft)],
    );
    return { id: r.id, draft, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at) };
  }

  async updateQuestion(id: string, courseId: string, draft: QuestionDraft): Promise<BankQuestionRow | null> {
    const [rows] = await this.db.query(
      `UPDATE quiz_question SET body = $3, updated_at = now() WHERE id = $1 AND course_id = $2 AND deleted_at IS NULL RETURNING id, created_at, updated_at`,
      [id, courseId, JSON.stringify(draft)],
    );
    const r = rows[0];
    return r ? { id: r.id, draft, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at) } : null;
  }

  async deleteQuestion(id: string, courseId: string): Promise<boolean> {
    const [rows] = await this.db.query(
      `UPDATE quiz_question SET deleted_at = now() WHERE id = $1 AND course_id = $2 AND deleted_at IS NULL RETURNING id`,
      [id, courseId],
    );
    return rows.length > 0;
  }

  /** The course's questions with these ids (others' and deleted ones are absent). */
  async questionsOf(courseId: string, ids: readonly string[], db: Db = this.db): Promise<Map<string, QuestionDraft>> {
    if (ids.length === 0) return new Map();
    const rows = await db.query(
      `SELECT id, body FROM quiz_question WHERE course_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
      [courseId, ids],
    );
    return new Map(rows.map((r: { id: string; body: QuestionDraft }) => [r.id, r.body]));
  }

  // ---- quizzes ----

  /** Writes the quiz and its questions' copies; QuizAlreadyOpen when the class has an open quiz. */
  async createQuiz(tx: EntityManager, q: NewQuiz, questions: readonly TeacherQuestion[]): Promise<QuizRow> {
    let row: Record<string, unknown>;
    try {
      [row] = await tx.query(
        `INSERT INTO quiz (course_id, activity_id, session_id, title, launched_by, closes_at, graded, points, zero_for_unanswered, allow_change, anonymous)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::integer IS NULL THEN NULL ELSE now() + make_interval(secs => $6::integer) END, $7, $8, $9, $10, $11)
         RETURNING ${QUIZ_COLUMNS}`,
        [
          q.courseId,
          q.activityId,
          q.sessionId,
          q.title,
          q.launchedBy,
          q.timeLimitSeconds,
          q.graded,
          q.points,
          q.zeroForUnanswered,
          q.allowChange,
          q.anonymous,
        ],
      );
    } catch (e) {
      if (e instanceof QueryFailedError && (e as QueryFailedError & { code?: string }).code === '23505')
        throw new QuizAlreadyOpen();
      throw e;
    }
    for (const [i, question] of questions.entries()) {
      const { id, ...draft } = question;
      await tx.query(`INSERT INTO quiz_item (quiz_id, question_id, position, body) VALUES ($1, $2, $3, $4)`, [
        row.id,
        id,
        i,
        JSON.stringify(draft),
      ]);
    }
    return toQuiz(row, [...questions]);
  }

  async findQuiz(id: string, db: Db = this.db): Promise<QuizRow | null> {
    const [row] = await db.query(`SELECT ${QUIZ_COLUMNS} FROM quiz WHERE id = $1`, [id]);
    return row ? toQuiz(row, await this.items(id, db)) : null;
  }

  /** The quiz, if it belongs to the course (the tenant check of every HTTP read). */
  async findInCourse(id: string, courseId: string): Promise<QuizRow | null> {
    const q = await this.findQuiz(id);
    return q && q.courseId === courseId ? q : null;
  }

  private async items(quizId: string, db: Db): Promise<TeacherQuestion[]> {
    const rows = await db.query(`SELECT question_id, body FROM quiz_item WHERE quiz_id = $1 ORDER BY position`, [
      quizId,
    ]);
    return rows.map(
      (r: { question_id: string; body: QuestionDraft }) => ({ ...r.body, id: r.question_id }) as TeacherQuestion,
    );
  }

  /** The class's quizzes, newest first. */
  async ofSession(sessionId: string, limit = 20): Promise<QuizRow[]> {
    const rows = await this.db.query(
      `SELECT ${QUIZ_COLUMNS} FROM quiz WHERE session_id = $1 ORDER BY launched_at DESC LIMIT $2`,
      [sessionId, limit],
    );
    return Promise.all(
      rows.map(async (r: Record<string, unknown>) => toQuiz(r, await this.items(r.id as string, this.db))),
    );
  }

  /** The classroom's quizzes with counts, newest first. */
  async summaries(activityId: string, courseId: string): Promise<Array<QuizRow & { answered: number }>> {
    const rows = await this.db.query(
      `SELECT q.*, (${ANSWERED_SQL})::int AS answered
         FROM quiz q WHERE q.activity_id = $1 AND q.course_id = $2 ORDER BY q.launched_at DESC`,
      [activityId, courseId],
    );
    return Promise.all(
      rows.map(async (r: Record<string, unknown>) => ({
        ...toQuiz(r, await this.items(r.id as string, this.db)),
        answered: Number(r.answered),
      })),
    );
  }

  /** Closes the quiz; the close time, or null when it was closed already (only one closer goes on). */
  async close(tx: EntityManager, id: string, reason: 'teacher' | 'time'): Promise<Date | null> {
    const [rows] = await tx.query(
      `UPDATE quiz SET closed_at = now(), close_reason = $2 WHERE id = $1 AND closed_at IS NULL RETURNING closed_at`,
      [id, reason],
    );
    return rows[0] ? new Date(rows[0].closed_at) : null;
  }

  /** How many people answered the quiz (see ANSWERED_SQL). */
  async answeredCount(quizId: string): Promise<number> {
    return (await this.answeredNow(quizId)).answered;
  }

  /** How many answered, and whether the quiz's close is committed (until then the count is the open one's). */
  async answeredNow(quizId: string): Promise<{ answered: number; closed: boolean }> {
    const [row] = await this.db.query(
      `SELECT (${ANSWERED_SQL})::int AS n, q.closed_at IS NOT NULL AS closed FROM quiz q WHERE q.id = $1`,
      [quizId],
    );
    return row ? { answered: Number(row.n), closed: Boolean(row.closed) } : { answered: 0, closed: false };
  }

  /** The class's open quiz, if any (at most one: the quiz_one_open index). */
  async openInSession(sessionId: string): Promise<string | null> {
    const [row] = await this.db.query(`SELECT id FROM quiz WHERE session_id = $1 AND closed_at IS NULL`, [sessionId]);
    return row ? (row.id as string) : null;
  }

  /**
   * Open quizzes that should be closed: past their time limit (`time`), or whose class has ended
   * (`ended`). Open timed quizzes not yet due come back as `pending` with their closing time.
   */
  async openToSweep(): Promise<Array<{ id: string; due: 'time' | 'ended' | 'pending'; closesAt: Date | null }>> {
    const rows = await this.db.query(
      `SELECT q.id, q.closes_at,
              CASE WHEN q.closes_at <= now() THEN 'time' WHEN s.ended_at IS NOT NULL THEN 'ended' ELSE 'pending' END AS due
         FROM quiz q JOIN live_session s ON s.id = q.session_id
        WHERE q.closed_at IS NULL AND (q.closes_at IS NOT NULL OR s.ended_at IS NOT NULL)`,
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id as string,
      due: r.due as 'time' | 'ended' | 'pending',
      closesAt: date(r.closes_at),
    }));
  }

  async reveal(id: string): Promise<Date> {
    const [rows] = await this.db.query(
      `UPDATE quiz SET revealed_at = coalesce(revealed_at, now()) WHERE id = $1 RETURNING revealed_at`,
      [id],
    );
    return new Date(rows[0].revealed_at);
  }

  // ---- answers ----

  /** Stores an answer; an older revision (a change that lost a race) never overwrites a newer one. */
  async saveAnswer(a: NewAnswer, db: Db = this.db): Promise<void> {
    await db.query(
      `INSERT INTO quiz_answer (quiz_id, question_id, respondent, user_id, answer, answer_ms, answered_at, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (quiz_id, question_id, respondent) DO UPDATE
         SET answer = EXCLUDED.answer, answer_ms = EXCLUDED.answer_ms, answered_at = EXCLUDED.answered_at, revision = EXCLUDED.revision, marked_correct = NULL
         WHERE quiz_answer.revision < EXCLUDED.revision`,
      [a.quizId, a.questionId, a.respondent, a.userId, JSON.stringify(a.answer), a.answerMs, a.answeredAt, a.revision],
    );
  }

  async answers(quizId: string, db: Db = this.db): Promise<AnswerRow[]> {
    const rows = await db.query(
      `SELECT id, question_id, respondent, user_id, answer, answer_ms, answered_at, marked_correct FROM quiz_answer WHERE quiz_id = $1 ORDER BY answered_at, id`,
      [quizId],
    );
    return rows.map(toAnswer);
  }

  /** One student's stored answers to a quiz (their own result, without reading the whole class's). */
  async answersBy(quizId: string, userId: string): Promise<AnswerRow[]> {
    const rows = await this.db.query(
      `SELECT id, question_id, respondent, user_id, answer, answer_ms, answered_at, marked_correct FROM quiz_answer WHERE quiz_id = $1 AND user_id = $2 ORDER BY answered_at, id`,
      [quizId, userId],
    );
    return rows.map(toAnswer);
  }

  /** One answer and its quiz's id, if the answer belongs to the course. */
  async findAnswer(answerId: string, courseId: string): Promise<(AnswerRow & { quizId: string }) | null> {
    const [r] = await this.db.query(
      `SELECT a.id, a.quiz_id, a.question_id, a.respondent, a.user_id, a.answer, a.answer_ms, a.answered_at, a.marked_correct
         FROM quiz_answer a JOIN quiz q ON q.id = a.quiz_id WHERE a.id = $1 AND q.course_id = $2`,
      [answerId, courseId],
    );
    return r ? { ...toAnswer(r), quizId: r.quiz_id } : null;
  }

  async mark(tx: EntityManager, answerId: string, correct: boolean | null): Promise<void> {
    await tx.query(`UPDATE quiz_answer SET marked_correct = $2 WHERE id = $1`, [answerId, correct]);
  }

  // ---- attendees (written when the quiz closes) ----

  async saveAttendees(tx: EntityManager, quizId: string, rows: readonly AttendeeRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO quiz_attendee (quiz_id, user_id, present, answered, score)
       SELECT $1, u.user_id, u.present, u.answered, u.score FROM unnest($2::uuid[], $3::boolean[], $4::boolean[], $5::numeric[]) AS u(user_id, present, answered, score)
       ON CONFLICT (quiz_id, user_id) DO UPDATE SET present = EXCLUDED.present, answered = EXCLUDED.answered, score = EXCLUDED.score`,
      [
        quizId,
        rows.map((r) => r.userId),
        rows.map((r) => r.present),
        rows.map((r) => r.answered),
        rows.map((r) => r.score),
      ],
    );
  }

  async attendees(quizId: string, db: Db = this.db): Promise<AttendeeRow[]> {
    const rows = await db.query(`SELECT user_id, present, answered, score FROM quiz_attendee WHERE quiz_id = $1`, [
      quizId,
    ]);
    return rows.map((r: Record<string, unknown>) => ({
      userId: r.user_id as string,
      present: r.present as boolean,
      answered: r.answered as boolean,
      score: r.score == null ? null : Number(r.score),
    }));
  }

  async setScore(tx: EntityManager, quizId: string, userId: string, score: number | null): Promise<void> {
    await tx.query(`UPDATE quiz_attendee SET score = $3 WHERE quiz_id = $1 AND user_id = $2`, [quizId, userId, score]);
  }
}
