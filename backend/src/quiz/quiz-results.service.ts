import { Injectable } from '@nestjs/common';
import { serverLanguage } from '../attendance/domain/attendance-words';
import {
  QuizErrors,
  QuizServerEvents,
  type BankQuestion,
  type MarkResult,
  type QuestionDraft,
  type QuizResults,
  type QuizSummary,
  type StudentResultRow,
} from '../contracts/quiz';
import { classroomOf, type SessionClaims } from '../platform/auth/session-token';
import { DomainError, NotFoundError } from '../platform/domain-error';
import { TenancyService } from '../tenancy/tenancy.service';
import { canRemark, markOf } from './domain/scoring';
import { buildTally, countAnswers } from './domain/tally';
import { resultOf } from './domain/views';
import { QuizRepository, type BankQuestionRow, type QuizRow } from './infra/quiz.repository';
import { QuizAnnouncer } from './quiz-announcer';
import { QuizGradingService } from './quiz-grading.service';

const bankView = (r: BankQuestionRow): BankQuestion => ({
  id: r.id,
  question: { ...r.draft, id: r.id },
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const summary = (q: QuizRow, answered: number): QuizSummary => ({
  id: q.id,
  title: q.title,
  sessionId: q.sessionId,
  launchedAt: q.launchedAt.toISOString(),
  closedAt: q.closedAt?.toISOString() ?? null,
  graded: q.graded,
  points: q.points,
  anonymous: q.anonymous,
  questions: q.questions.length,
  answered,
});

/**
 * The course's question bank, results after class (per quiz and per student, CSV) and re-marking, for
 * instructors over HTTP. Every read is scoped to the caller's course (another course's id is NOT_FOUND).
 */
@Injectable()
export class QuizResultsService {
  constructor(
    private readonly quizzes: QuizRepository,
    private readonly grading: QuizGradingService,
    private readonly tenancy: TenancyService,
    private readonly announcer: QuizAnnouncer,
  ) {}

  /** The language the instructor's files are written in: their LMS's (launch locale), else English. */
  async languageOf(userId: string): Promise<'en' | 'es'> {
    const [user] = await this.tenancy.users([userId]);
    return serverLanguage(user?.locale);
  }

  async bank(s: SessionClaims): Promise<BankQuestion[]> {
    return (await this.quizzes.bank(s.courseId)).map(bankView);
  }

  async addQuestion(s: SessionClaims, draft: QuestionDraft): Promise<BankQuestion> {
    return bankView(await this.quizzes.addQuestion(s.courseId, s.userId, draft));
  }

  async updateQuestion(s: SessionClaims, id: string, draft: QuestionDraft): Promise<BankQuestion> {
    const row = await this.quizzes.updateQuestion(id, s.courseId, draft);
    if (!row) throw new NotFoundError(QuizErrors.questionNotFound, 'No such question in this course');
    return bankView(row);
  }

  async deleteQuestion(s: SessionClaims, id: string): Promise<void> {
    if (!(await this.quizzes.deleteQuestion(id, s.courseId)))
      throw new NotFoundError(QuizErrors.questionNotFound, 'No such question in this course');
  }

  async list(s: SessionClaims): Promise<QuizSummary[]> {
    return (await this.quizzes.summaries(classroomOf(s), s.courseId)).map((q) => summary(q, q.answered));
  }

  async results(s: SessionClaims, quizId: string): Promise<QuizResults> {
    const quiz = await this.find(s, quizId);
    const [answers, attendees, answered] = await Promise.all([
      this.quizzes.answers(quiz.id),
      this.quizzes.attendees(quiz.id),
      this.quizzes.answeredCount(quiz.id),
    ]);
    const counts = countAnswers(
      quiz.questions.map((q) => q.id),
      answers,
    );
    const questions = quiz.questions.map((q) => ({
      question: { ...q },
      tally: buildTally(q, counts.get(q.id)!.bars, counts.get(q.id)!.answered, q.type !== 'poll'),
    }));
    const students: StudentResultRow[] = [];
    if (!quiz.anonymous) {
      const ids = new Set([...attendees.map((a) => a.userId), ...answers.flatMap((a) => (a.userId ? [a.userId] : []))]);
      const names = new Map((await this.tenancy.users([...ids])).map((u) => [u.id, u.name]));
      const byId = new Map(quiz.questions.map((q) => [q.id, q]));
      for (const userId of ids) {
        const att = attendees.find((a) => a.userId === userId);
        students.push({
          userId,
          name: names.get(userId) ?? '',
          present: att?.present ?? false,
          score:
            att?.score ??
            (quiz.closedAt
              ? null
              : resultOf(quiz, new Map(answers.filter((a) => a.userId === userId).map((a) => [a.questionId, a])))
                  .score),
          answers: answers
            .filter((a) => a.userId === userId)
            .map((a) => {
              const q = byId.get(a.questionId)!;
              return {
                answerId: a.id,
                questionId: a.questionId,
                answer: a.answer,
                fraction: q.type === 'poll' ? null : markOf(q, a.answer, a.markedCorrect),
                markedCorrect: a.markedCorrect,
                answerMs: a.answerMs,
              };
            }),
        });
      }
      students.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.userId < b.userId ? -1 : 1));
    }
    return {
      quiz: { ...summary(quiz, answered), zeroForUnanswered: quiz.zeroForUnanswered },
      questions,
      students,
    };
  }

  /** An instructor marks a short answer right or wrong (null: back to the automatic mark). */
  async mark(s: SessionClaims, answerId: string, correct: boolean | null): Promise<MarkResult> {
    const answer = await this.quizzes.findAnswer(answerId, s.courseId);
    if (!answer) throw new NotFoundError(QuizErrors.answerNotFound, 'No such answer in this course');
    const quiz = await this.find(s, answer.quizId);
    const question = quiz.questions.find((q) => q.id === answer.questionId);
    if (!question || !canRemark(question))
      throw new DomainError(QuizErrors.notRemarkable, 'Only short answers are marked by hand', 409);
    const out = await this.grading.remark(quiz, answer, correct);
    if (quiz.revealedAt && answer.userId) {
      const own = (await this.quizzes.answers(quiz.id)).filter((a) => a.userId === answer.userId);
      this.announcer.announce({
        to: 'user',
        sessionId: quiz.sessionId,
        userId: answer.userId,
        event: QuizServerEvents.result,
        payload: resultOf(quiz, new Map(own.map((a) => [a.questionId, a]))),
      });
    }
    return { answerId, fraction: out.fraction, score: out.score };
  }

  private async find(s: SessionClaims, quizId: string): Promise<QuizRow> {
    const quiz = await this.quizzes.findInCourse(quizId, s.courseId);
    if (!quiz) throw new NotFoundError(QuizErrors.quizNotFound, 'No such quiz in this course');
    return quiz;
  }
}
