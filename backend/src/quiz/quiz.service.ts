import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  QuizErrors,
  QuizServerEvents,
  type AnswerReceipt,
  type MyAnswer,
  type QuizAckData,
  type QuizEvents,
  type QuizTally,
  type QuizTeacherView,
  type QuizView,
  type TeacherQuestion,
} from '../contracts/quiz';
import { launchSchema, answerSchema } from '../contracts/quiz';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '../platform/domain-error';
import { DomainEvents } from '../platform/domain-events';
import type { ClassMembership } from '../platform/socket-events';
import { TenancyService } from '../tenancy/tenancy.service';
import type { z } from 'zod';
import { answerProblem, barKeys, markOf } from './domain/scoring';
import { buildTally, countAnswers } from './domain/tally';
import { resultOf, revealedOf, studentView, teacherView } from './domain/views';
import { LiveQuizStore } from './infra/live-quiz.store';
import { QuizAlreadyOpen, QuizRepository, type QuizRow } from './infra/quiz.repository';
import { QuizAnnouncer } from './quiz-announcer';
import { QuizGradingService } from './quiz-grading.service';

type Launch = z.infer<typeof launchSchema>;
type Answer = { quizId: string; questionId: string; answer: z.infer<typeof answerSchema> };

/** How long an instance keeps a quiz's fixed facts (questions, class, options) in memory. */
const CACHE_MS = 60_000;
const CACHE_MAX = 500;

/** How long a closed quiz's counts are reused before Postgres is asked again. */
const STORED_TALLY_MS = 10_000;

/**
 * Live quizzes in a class: launch, answer, close, reveal, and what each person sees. The class is always
 * the caller's membership's; a quiz of another class is QUIZ_NOT_FOUND. Answers are decided by Redis
 * (one per student and question, atomically) and stored in Postgres.
 */
@Injectable()
export class QuizService {
  private readonly cache = new Map<string, { quiz: QuizRow; at: number }>();
  /** Closed quizzes' counts (a cache, see storedCounts). */
  private readonly storedTallies = new Map<
    string,
    { counts: { questions: ReturnType<typeof countAnswers>; answered: number }; at: number }
  >();

  constructor(
    private readonly quizzes: QuizRepository,
    private readonly live: LiveQuizStore,
    private readonly grading: QuizGradingService,
    private readonly tenancy: TenancyService,
    private readonly announcer: QuizAnnouncer,
    private readonly events: DomainEvents,
  ) {}

  async launch(m: ClassMembership, input: Launch): Promise<QuizTeacherView> {
    const bank = await this.quizzes.questionsOf(m.courseId, input.questionIds);
    const missing = input.questionIds.filter((id) => !bank.has(id));
    if (missing.length)
      throw new NotFoundError(
        QuizErrors.questionNotFound,
        `No such question in this course's bank: ${missing.join(', ')}`,
      );
    const kinds = [...input.questionIds.map((id) => bank.get(id)!.type), ...input.newQuestions.map((q) => q.type)];
    if (input.anonymous && kinds.some((k) => k !== 'poll'))
      throw new DomainError(QuizErrors.anonymousNeedsPolls, 'Only a quiz made of polls can be anonymous', 400);
    const activity = await this.tenancy.gradedActivity(m.activityId, m.courseId);
    const points = input.points ?? activity?.quizPoints ?? kinds.length;
    let quiz: QuizRow;
    try {
      quiz = await this.quizzes.transaction(async (tx) => {
        const typed = [];
        for (const draft of input.newQuestions)
          typed.push(await this.quizzes.addQuestion(m.courseId, m.userId, draft, tx));
        const questions: TeacherQuestion[] = [
          ...input.questionIds.map((id) => ({ ...bank.get(id)!, id })),
          ...typed.map((t) => ({ ...t.draft, id: t.id })),
        ];
        return this.quizzes.createQuiz(
          tx,
          {
            courseId: m.courseId,
            activityId: m.activityId,
            sessionId: m.sessionId,
            title: input.title,
            launchedBy: m.userId,
            timeLimitSeconds: input.timeLimitSeconds ?? null,
            graded: input.graded,
            points,
            zeroForUnanswered: input.zeroForUnanswered,
            allowChange: input.allowChange,
            anonymous: input.anonymous,
          },
          questions,
        );
      });
    } catch (e) {
      if (e instanceof QuizAlreadyOpen)
        throw new ConflictError(QuizErrors.quizAlreadyOpen, 'A quiz is already open in this class: close it first');
      throw e;
    }
    await this.live.open(
      quiz.id,
      { sessionId: quiz.sessionId, allowChange: quiz.allowChange, launchedAtMs: quiz.launchedAt.getTime() },
      await this.grading.presentStudents(quiz.sessionId),
    );
    if (quiz.closesAt) await this.grading.scheduleClose(quiz.id, quiz.closesAt.getTime() - Date.now());
    const now = new Date();
    const teacher = teacherView(quiz, await this.tally(quiz), now);
    this.announcer.announce({
      to: 'launch',
      sessionId: quiz.sessionId,
      student: studentView(quiz, [], null, null, now),
      teacher,
    });
    return teacher;
  }

  async answer(m: ClassMembership, input: Answer): Promise<AnswerReceipt> {
    if (m.canTeach) throw new ForbiddenError(QuizErrors.studentsOnly, 'Instructors do not answer quizzes');
    const quiz = await this.classQuiz(m, input.quizId);
    const question = quiz.questions.find((q) => q.id === input.questionId);
    if (!question) throw new NotFoundError(QuizErrors.questionNotInQuiz, 'That question was not asked in this quiz');
    const problem = answerProblem(question, input.answer);
    if (problem)
      throw new DomainError(
        problem,
        problem === 'ANSWER_TYPE_MISMATCH'
          ? `This question takes a ${question.type} answer`
          : "That option is not one of the question's",
        400,
      );
    const at = Date.now();
    let outcome = await this.live.answer(
      quiz.id,
      question.id,
      m.userId,
      randomUUID(),
      input.answer,
      barKeys(input.answer),
      at,
    );
    if (outcome.kind === 'unknown') {
      // Redis lost the quiz (a flush, a failover): the row says whether it is still open.
      const fresh = await this.quizzes.findQuiz(quiz.id);
      if (fresh && !fresh.closedAt) {
        await this.live.open(
          quiz.id,
          { sessionId: quiz.sessionId, allowChange: quiz.allowChange, launchedAtMs: quiz.launchedAt.getTime() },
          [],
        );
        outcome = await this.live.answer(
          quiz.id,
          question.id,
          m.userId,
          randomUUID(),
          input.answer,
          barKeys(input.answer),
          at,
        );
      } else outcome = { kind: 'closed' };
    }
    if (outcome.kind === 'already')
      throw new ConflictError(QuizErrors.alreadyAnswered, 'You have answered this question already');
    if (outcome.kind !== 'ok') throw new ConflictError(QuizErrors.quizClosed, 'Too late: this quiz is closed');
    const answerMs = Math.max(0, at - quiz.launchedAt.getTime());
    await this.quizzes.saveAnswer({
      quizId: quiz.id,
      questionId: question.id,
      respondent: quiz.anonymous ? outcome.respondent : m.userId,
      userId: quiz.anonymous ? null : m.userId,
      answer: input.answer,
      // An anonymous poll's stored answers carry no time of their own: a time could be matched with
      // the engagement event below (which names the student) and tell who answered what.
      answerMs: quiz.anonymous ? 0 : answerMs,
      answeredAt: quiz.anonymous ? quiz.launchedAt : new Date(at),
      revision: outcome.revision,
    });
    this.events.emit('quiz.answered', {
      sessionId: quiz.sessionId,
      courseId: quiz.courseId,
      quizId: quiz.id,
      questionId: question.id,
      userId: m.userId,
      answerMs,
      correct: question.type === 'poll' ? null : markOf(question, input.answer, null) === 1,
    });
    return {
      quizId: quiz.id,
      questionId: question.id,
      receivedAt: new Date(at).toISOString(),
      answerMs,
      changed: outcome.changed,
    };
  }

  async close(m: ClassMembership, quizId: string): Promise<QuizAckData[typeof QuizEvents.close]> {
    await this.classQuiz(m, quizId);
    this.cache.delete(quizId);
    return this.grading.close(quizId, 'teacher');
  }

  /** Shows results and right answers to the class (closing the quiz first if it is open). */
  async reveal(m: ClassMembership, quizId: string): Promise<QuizAckData[typeof QuizEvents.reveal]> {
    const first = await this.classQuiz(m, quizId, true);
    if (!first.closedAt) await this.grading.close(quizId, 'teacher');
    const revealedAt = await this.quizzes.reveal(quizId);
    this.cache.delete(quizId);
    const quiz = (await this.quizzes.findQuiz(quizId))!;
    const tally = await this.tally(quiz, true);
    const revealed = revealedOf(quiz, tally.questions)!;
    this.announcer.announce({
      to: 'class',
      sessionId: quiz.sessionId,
      event: QuizServerEvents.revealed,
      payload: revealed,
    });
    if (!quiz.anonymous) {
      const mine = new Map<string, Map<string, { answer: MyAnswer['answer']; markedCorrect: boolean | null }>>();
      for (const a of await this.quizzes.answers(quizId)) {
        if (!a.userId) continue;
        const own = mine.get(a.userId) ?? new Map();
        own.set(a.questionId, { answer: a.answer, markedCorrect: a.markedCorrect });
        mine.set(a.userId, own);
      }
      for (const [userId, own] of mine)
        this.announcer.announce({
          to: 'user',
          sessionId: quiz.sessionId,
          userId,
          event: QuizServerEvents.result,
          payload: resultOf(quiz, own),
        });
    }
    return { quizId, revealedAt: revealedAt.toISOString() };
  }

  /** The class's recent quizzes as the caller may see them (after a join or a reconnect). */
  async sync(m: ClassMembership): Promise<QuizAckData[typeof QuizEvents.sync]> {
    const now = new Date();
    const quizzes: QuizView[] = [];
    for (const quiz of await this.quizzes.ofSession(m.sessionId, 10)) {
      if (m.canTeach) {
        quizzes.push({ role: 'teacher', quiz: teacherView(quiz, await this.tally(quiz), now) });
        continue;
      }
      const own = await this.live.answersOf(
        quiz.id,
        quiz.questions.map((q) => q.id),
        m.userId,
      );
      const mine: MyAnswer[] = [...own].map(([questionId, a]) => ({
        questionId,
        answer: a.answer,
        answeredAt: new Date(a.answeredAtMs).toISOString(),
      }));
      let revealed = null;
      let result = null;
      if (quiz.revealedAt) {
        revealed = revealedOf(quiz, (await this.tally(quiz, true)).questions);
        const stored = quiz.anonymous ? [] : await this.quizzes.answersBy(quiz.id, m.userId);
        result = quiz.anonymous
          ? null
          : resultOf(
              quiz,
              new Map(stored.map((a) => [a.questionId, { answer: a.answer, markedCorrect: a.markedCorrect }])),
            );
      }
      quizzes.push({ role: 'student', quiz: studentView(quiz, mine, revealed, result, now) });
    }
    return { serverNow: now.toISOString(), quizzes };
  }

  /**
   * A closed quiz's counts from Postgres, kept here for a few seconds: every student's sync after a
   * reconnect asks for the charts of the class's last quizzes, and a closed quiz's bars do not change
   * (a re-mark changes a mark, not which option was picked).
   */
  private async storedCounts(quizId: string, ids: string[]) {
    const hit = this.storedTallies.get(quizId);
    if (hit && Date.now() - hit.at < STORED_TALLY_MS) return hit.counts;
    const now = await this.quizzes.answeredNow(quizId);
    const counts = {
      questions: countAnswers(ids, await this.quizzes.answers(quizId)),
      answered: now.answered,
    };
    // Redis says closed a moment before Postgres's close commits: a count read in between is the open
    // quiz's (an anonymous poll's respondents then count once per question), so it is not kept.
    if (!now.closed) return counts;
    if (this.storedTallies.size > 1000) this.storedTallies.clear();
    this.storedTallies.set(quizId, { counts, at: Date.now() });
    return counts;
  }

  async results(m: ClassMembership, quizId: string): Promise<QuizTeacherView> {
    const quiz = await this.classQuiz(m, quizId, true);
    return teacherView(quiz, await this.tally(quiz), new Date());
  }

  /**
   * The chart of a quiz: bars per question, students answered out of present. Redis's counts while it is
   * open there; otherwise (closed, or Redis lost it) the answers stored in Postgres.
   */
  async tally(quiz: QuizRow, withCorrect = true): Promise<QuizTally> {
    const ids = quiz.questions.map((q) => q.id);
    const [live, present] = await Promise.all([
      this.live.counts(quiz.id, ids),
      this.grading.presentStudents(quiz.sessionId),
    ]);
    const counts = live.open ? live : await this.storedCounts(quiz.id, ids);
    return {
      quizId: quiz.id,
      present: present.length,
      answered: counts.answered,
      questions: quiz.questions.map((q) => {
        const c = counts.questions.get(q.id);
        return buildTally(q, c?.bars ?? new Map(), c?.answered ?? 0, withCorrect && q.type !== 'poll');
      }),
    };
  }

  /** Sends the live chart to the class's instructors (the gateway throttles how often). */
  async announceTally(quizId: string): Promise<void> {
    const quiz = await this.cached(quizId);
    if (quiz)
      this.announcer.announce({
        to: 'teachers',
        sessionId: quiz.sessionId,
        event: QuizServerEvents.tally,
        payload: await this.tally(quiz),
      });
  }

  /** The quiz if it was launched in the caller's class. */
  private async classQuiz(m: ClassMembership, quizId: string, fresh = false): Promise<QuizRow> {
    const quiz = fresh ? await this.quizzes.findQuiz(quizId) : await this.cached(quizId);
    if (!quiz || quiz.sessionId !== m.sessionId || quiz.courseId !== m.courseId)
      throw new NotFoundError(QuizErrors.quizNotFound, 'No such quiz in this class');
    return quiz;
  }

  /** A quiz's fixed facts (questions, class, options; not its close or reveal times) from memory or Postgres. */
  private async cached(quizId: string): Promise<QuizRow | null> {
    const hit = this.cache.get(quizId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.quiz;
    const quiz = await this.quizzes.findQuiz(quizId);
    if (quiz) {
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(quizId, { quiz, at: Date.now() });
    }
    return quiz;
  }
}
