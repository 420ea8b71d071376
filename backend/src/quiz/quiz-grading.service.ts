import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import type { EntityManager } from 'typeorm';
import { QuizServerEvents } from '../contracts/quiz';
import { PresenceService } from '../classroom/presence.service';
import { GradesService } from '../grades/grades.service';
import { NotFoundError } from '../platform/domain-error';
import { TenancyService } from '../tenancy/tenancy.service';
import { isGraded } from '../tenancy/domain/role-mapping';
import { gradesAtClose, markOf, quizScore } from './domain/scoring';
import { LiveQuizStore } from './infra/live-quiz.store';
import { QuizRepository, type AnswerRow, type AttendeeRow, type QuizRow } from './infra/quiz.repository';
import { QuizAnnouncer } from './quiz-announcer';

export const QUIZ_QUEUE = 'quiz';
export interface CloseQuizJob {
  quizId: string;
}
/** The AGS tag of a quiz's own gradebook column. */
export const quizTag = (quizId: string) => `lectern-quiz:${quizId}`;

/** Each student's marks per question in quiz order (null: not answered), from the stored answers. */
function marksByUser(quiz: QuizRow, answers: readonly AnswerRow[]): Map<string, Array<number | null>> {
  const index = new Map(quiz.questions.map((q, i) => [q.id, i]));
  const out = new Map<string, Array<number | null>>();
  for (const a of answers) {
    const i = index.get(a.questionId);
    if (!a.userId || i === undefined) continue;
    const marks = out.get(a.userId) ?? quiz.questions.map(() => null);
    marks[i] = markOf(quiz.questions[i], a.answer, a.markedCorrect);
    out.set(a.userId, marks);
  }
  return out;
}

/**
 * Closing a quiz and grading it. Closing is idempotent and may run anywhere (the instructor's socket,
 * or the time-limit job on whichever instance Bull gives it): Redis stops answers first, then one
 * transaction closes the row, stores every answer Redis accepted, writes who was there and, for a graded
 * quiz, each grade into the outbox. Only the caller that closed the row does that work.
 */
@Injectable()
export class QuizGradingService {
  private readonly logger = new Logger('QuizGrading');

  constructor(
    private readonly quizzes: QuizRepository,
    private readonly live: LiveQuizStore,
    private readonly presence: PresenceService,
    private readonly grades: GradesService,
    private readonly tenancy: TenancyService,
    private readonly announcer: QuizAnnouncer,
    @InjectQueue(QUIZ_QUEUE) private readonly queue: Queue<CloseQuizJob>,
  ) {}

  /** Queues the close at the time limit: a job in Redis, so it happens even if this instance dies. */
  async scheduleClose(quizId: string, delayMs: number): Promise<void> {
    await this.queue.add(
      'close',
      { quizId },
      {
        jobId: `close:${quizId}`,
        delay: Math.max(0, delayMs),
        attempts: 10,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: true,
      },
    );
  }

  /** Students in the class now: learners (instructors, designers, observers and guests are not graded). */
  async presentStudents(sessionId: string): Promise<string[]> {
    return (await this.presence.participants(sessionId)).filter((p) => isGraded(p.role)).map((p) => p.userId);
  }

  async close(quizId: string, reason: 'teacher' | 'time'): Promise<{ quizId: string; closedAt: string }> {
    const quiz = await this.quizzes.findQuiz(quizId);
    if (!quiz) throw new NotFoundError('QUIZ_NOT_FOUND', 'No such quiz in this class');
    if (quiz.closedAt) {
      // Again, should the closer have stopped between its commit and forgetting (idempotent).
      if (quiz.anonymous)
        await this.live.forgetRespondents(
          quizId,
          quiz.questions.map((q) => q.id),
        );
      return { quizId, closedAt: quiz.closedAt.toISOString() };
    }
    await this.live.close(quizId);
    await this.live.addPresent(quizId, await this.presentStudents(quiz.sessionId));
    const [liveAnswers, present] = await Promise.all([
      this.live.answers(
        quizId,
        quiz.questions.map((q) => q.id),
      ),
      this.live.present(quizId),
    ]);
    const activity = quiz.graded ? await this.tenancy.gradedActivity(quiz.activityId, quiz.courseId) : null;
    const outcome = await this.quizzes.transaction(async (tx) => {
      const closedAt = await this.quizzes.close(tx, quizId, reason);
      if (!closedAt) return null;
      for (const [questionId, list] of liveAnswers) {
        for (const a of list) {
          await this.quizzes.saveAnswer(
            {
              quizId,
              questionId,
              respondent: quiz.anonymous ? a.respondent : a.userId,
              userId: quiz.anonymous ? null : a.userId,
              answer: a.answer,
              // As when answered: an anonymous poll's stored answers carry no time (see QuizService.answer).
              answerMs: quiz.anonymous ? 0 : Math.max(0, a.answeredAtMs - quiz.launchedAt.getTime()),
              answeredAt: quiz.anonymous ? quiz.launchedAt : new Date(a.answeredAtMs),
              revision: a.revision,
            },
            tx,
          );
        }
      }
      const answered = quiz.anonymous
        ? this.participation(quiz, liveAnswers)
        : marksByUser(quiz, await this.quizzes.answers(quizId, tx));
      const decisions = gradesAtClose(answered, new Set(present), quiz.points, quiz.zeroForUnanswered);
      const scoreOf = new Map(decisions.map((d) => [d.userId, d.score]));
      const everyone = new Set([...present, ...answered.keys()]);
      const attendees: AttendeeRow[] = [...everyone].map((userId) => ({
        userId,
        present: present.includes(userId),
        answered: answered.has(userId),
        score: scoreOf.get(userId) ?? null,
      }));
      await this.quizzes.saveAttendees(tx, quizId, attendees);
      const outboxIds: string[] = [];
      if (quiz.graded)
        for (const d of decisions)
          outboxIds.push(await this.recordGrade(tx, quiz, activity?.title ?? 'Classroom', d.userId, d.score));
      return { closedAt, outboxIds };
    });
    if (!outcome) {
      const now = await this.quizzes.findQuiz(quizId);
      return { quizId, closedAt: (now?.closedAt ?? new Date()).toISOString() };
    }
    // An anonymous poll is stored without names: Redis's copy of who answered what goes now.
    if (quiz.anonymous)
      await this.live.forgetRespondents(
        quizId,
        quiz.questions.map((q) => q.id),
      );
    for (const id of outcome.outboxIds)
      await this.grades
        .enqueue(id)
        .catch((e) => this.logger.warn(`queuing grade ${id}: ${(e as Error).message} (the outbox sweep queues it)`));
    const closedAt = outcome.closedAt.toISOString();
    this.announcer.announce({
      to: 'class',
      sessionId: quiz.sessionId,
      event: QuizServerEvents.closed,
      payload: { quizId, closedAt, reason },
    });
    if (reason === 'teacher')
      await this.queue
        .getJob(`close:${quizId}`)
        .then((j) => j?.remove())
        .catch(() => undefined);
    return { quizId, closedAt };
  }

  /** An anonymous poll's participation: who answered which question (1 each), from Redis only. */
  private participation(
    quiz: QuizRow,
    live: Map<string, Array<{ userId: string }>>,
  ): Map<string, Array<number | null>> {
    const out = new Map<string, Array<number | null>>();
    quiz.questions.forEach((q, i) => {
      for (const a of live.get(q.id) ?? []) {
        const marks = out.get(a.userId) ?? quiz.questions.map(() => null);
        marks[i] = 1;
        out.set(a.userId, marks);
      }
    });
    return out;
  }

  private recordGrade(
    tx: EntityManager,
    quiz: QuizRow,
    classroomTitle: string,
    userId: string,
    score: number,
  ): Promise<string> {
    return this.grades.record(tx, {
      courseId: quiz.courseId,
      activityId: quiz.activityId,
      userId,
      tag: quizTag(quiz.id),
      label: `${classroomTitle}: ${quiz.title}`.slice(0, 255),
      scoreGiven: score,
      scoreMaximum: quiz.points,
    });
  }

  /**
   * An instructor's mark on one answer: stored, the student's score worked out again, and for a graded
   * closed quiz a newer grade in the outbox (the LMS keeps the latest). Returns the new mark and score.
   */
  async remark(
    quiz: QuizRow,
    answer: AnswerRow,
    correct: boolean | null,
  ): Promise<{ fraction: number; score: number | null }> {
    const question = quiz.questions.find((q) => q.id === answer.questionId)!;
    const activity =
      quiz.graded && quiz.closedAt ? await this.tenancy.gradedActivity(quiz.activityId, quiz.courseId) : null;
    const result = await this.quizzes.transaction(async (tx) => {
      await this.quizzes.mark(tx, answer.id, correct);
      if (!answer.userId) return { score: null, outboxId: null };
      const marks = marksByUser(quiz, await this.quizzes.answers(quiz.id, tx)).get(answer.userId) ?? [];
      const score = quizScore(marks, quiz.points);
      if (!quiz.closedAt) return { score, outboxId: null };
      await this.quizzes.setScore(tx, quiz.id, answer.userId, score);
      const outboxId = quiz.graded
        ? await this.recordGrade(tx, quiz, activity?.title ?? 'Classroom', answer.userId, score)
        : null;
      return { score, outboxId };
    });
    if (result.outboxId) await this.grades.enqueue(result.outboxId);
    return { fraction: markOf(question, answer.answer, correct), score: result.score };
  }
}
