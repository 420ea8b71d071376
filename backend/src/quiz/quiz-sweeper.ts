import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import { Subscription } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DomainEvents } from '../platform/domain-events';
import { RepeatableSchedule, type RepeatableJobSpec } from '../platform/repeatable-schedule';
import { canTeach, type CourseRole } from '../tenancy/domain/role-mapping';
import { LiveQuizStore } from './infra/live-quiz.store';
import { QuizRepository } from './infra/quiz.repository';
import { QUIZ_QUEUE, QuizGradingService } from './quiz-grading.service';

/**
 * Every few seconds, open quizzes past their time limit or in a class that has ended are closed. A quiz's
 * time limit is a delayed Bull job, which lives only in Redis: if Redis loses it (a flush, a failover),
 * this closes the quiz at most `every` late. When the schedule itself had to be restored (Redis lost its
 * data), it runs at once and also queues again the close of every open timed quiz, so those close on time.
 */
export const QUIZ_SWEEP: RepeatableJobSpec = {
  name: 'sweep',
  jobId: 'quiz-sweep',
  every: 5_000,
  runWhenRestored: true,
};

/**
 * Quizzes closed by what happens around them: the end of the class (the `session.ended` event, on the
 * instance that ended it), the periodic sweep (lost timers, a missed end), and who joins the class while a
 * quiz is open (counted present, as at launch and at close: presence is cleared when the class ends).
 */
@Injectable()
export class QuizSweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('QuizSweeper');
  private readonly schedule: RepeatableSchedule;
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly quizzes: QuizRepository,
    private readonly live: LiveQuizStore,
    private readonly grading: QuizGradingService,
    private readonly events: DomainEvents,
    @InjectQueue(QUIZ_QUEUE) queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.schedule = new RepeatableSchedule(queue, [QUIZ_SWEEP], config.scheduleCheckMs);
  }

  async onModuleInit(): Promise<void> {
    this.subscriptions.push(
      this.events.on('session.ended').subscribe(({ sessionId }) => {
        this.closeClassQuiz(sessionId).catch((e) =>
          this.logger.warn(`closing the quiz of ended class ${sessionId}: ${(e as Error).message} (the sweep retries)`),
        );
      }),
      this.events.on('participant.joined').subscribe(({ sessionId, userId, role }) => {
        if (!canTeach(role as CourseRole))
          this.countPresent(sessionId, userId).catch((e) =>
            this.logger.warn(`counting ${userId} present in ${sessionId}'s quiz: ${(e as Error).message}`),
          );
      }),
    );
    await this.schedule.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    await this.schedule.stop();
  }

  /** The class's open quiz, closed as the instructor would (idempotent: a close under way wins). */
  async closeClassQuiz(sessionId: string): Promise<void> {
    const quizId = await this.quizzes.openInSession(sessionId);
    if (quizId) await this.grading.close(quizId, 'teacher');
  }

  private async countPresent(sessionId: string, userId: string): Promise<void> {
    const quizId = await this.quizzes.openInSession(sessionId);
    if (quizId) await this.live.addPresent(quizId, [userId]);
  }

  /** Closes what is due; after a loss of Redis' data (`restored`), also queues again the pending time limits. */
  async sweep(restored = false): Promise<{ closed: string[]; rescheduled: string[] }> {
    const closed: string[] = [];
    const rescheduled: string[] = [];
    for (const q of await this.quizzes.openToSweep()) {
      try {
        if (q.due !== 'pending') {
          await this.grading.close(q.id, q.due === 'time' ? 'time' : 'teacher');
          closed.push(q.id);
        } else if (restored && q.closesAt) {
          await this.grading.scheduleClose(q.id, q.closesAt.getTime() - Date.now());
          rescheduled.push(q.id);
        }
      } catch (e) {
        this.logger.warn(`sweeping quiz ${q.id}: ${(e as Error).message} (next sweep retries)`);
      }
    }
    if (closed.length) this.logger.warn(`closed ${closed.length} quiz(zes) whose time limit or class had ended`);
    return { closed, rescheduled };
  }
}
