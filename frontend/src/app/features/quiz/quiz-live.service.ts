import { computed, effect, inject, Injectable, signal, untracked } from '@angular/core';
import type { Ack } from '@contracts/realtime';
import {
  QuizEvents,
  QuizServerEvents,
  type QuizAckData,
  type QuizAnswer,
  type QuizEventName,
  type QuizPayload,
  type QuizServerPayloads,
  type QuizTeacherView,
} from '@contracts/quiz';
import { RoomSocket } from '../../core/room-socket.service';
import { refusalStatus, type AnswerStatus } from './answer-form';
import { clockOffset } from './countdown';
import { QuizList, shownQuiz, withClosed, withMine, withResult, withRevealed, withTally, withView } from './quiz-state';

const statusKey = (quizId: string, questionId: string) => `${quizId}\n${questionId}`;

/**
 * The live quiz of the class over the room's socket: the quizzes as signals (teacher or student view,
 * as the server sends them), the live tally, the server's clock offset for countdowns, and each of my
 * answers' status. Catches up after every (re)join with quiz:sync. One per room (provided by the panel).
 */
@Injectable()
export class QuizLive {
  private readonly room = inject(RoomSocket);
  readonly quizzes = signal<QuizList>([]);
  /** The server's clock minus ours (ms). */
  readonly offsetMs = signal(0);
  private readonly dismissed = signal<ReadonlySet<string>>(new Set());
  private readonly statuses = signal<ReadonlyMap<string, AnswerStatus>>(new Map());
  readonly shown = computed(() => shownQuiz(this.quizzes(), this.dismissed()));
  readonly open = computed(() => this.quizzes().find((v) => !v.quiz.closedAt) ?? null);

  constructor() {
    this.on(QuizServerEvents.launched, (v) => {
      this.offsetMs.set(clockOffset(v.quiz.serverNow, Date.now()));
      this.quizzes.update((l) => withView(l, v));
    });
    this.on(QuizServerEvents.tally, (t) => this.quizzes.update((l) => withTally(l, t)));
    this.on(QuizServerEvents.closed, (c) => this.quizzes.update((l) => withClosed(l, c)));
    this.on(QuizServerEvents.revealed, (r) => {
      this.quizzes.update((l) => withRevealed(l, r));
      // Results come back into view for whoever put the quiz away.
      this.dismissed.update((s) => new Set([...s].filter((id) => id !== r.quizId)));
    });
    this.on(QuizServerEvents.result, (r) => this.quizzes.update((l) => withResult(l, r)));
    effect(() => {
      if (this.room.joins() > 0) untracked(() => void this.sync());
    });
  }

  private on<E extends keyof QuizServerPayloads>(event: E, handler: (payload: QuizServerPayloads[E]) => void): void {
    this.room.listen(event, handler as (p: never) => void);
  }

  private send<E extends QuizEventName>(event: E, payload: QuizPayload<E>): Promise<Ack<QuizAckData[E]>> {
    return this.room.request<QuizAckData[E]>(event, payload);
  }

  /** After a (re)join: the class's quizzes as the server has them now. */
  async sync(): Promise<void> {
    const sentAt = Date.now();
    const ack = await this.send(QuizEvents.sync, {});
    if (!ack.ok) return;
    // Half the round trip is the best guess of when the server read its clock.
    this.offsetMs.set(clockOffset(ack.data.serverNow, (sentAt + Date.now()) / 2));
    this.quizzes.set(ack.data.quizzes);
  }

  async launch(payload: QuizPayload<typeof QuizEvents.launch>): Promise<Ack<QuizTeacherView>> {
    const ack = await this.send(QuizEvents.launch, payload);
    if (ack.ok) {
      this.offsetMs.set(clockOffset(ack.data.serverNow, Date.now()));
      this.quizzes.update((l) => withView(l, { role: 'teacher', quiz: ack.data }));
    }
    return ack;
  }

  async close(quizId: string): Promise<Ack<unknown>> {
    const ack = await this.send(QuizEvents.close, { quizId });
    if (ack.ok) this.quizzes.update((l) => withClosed(l, { ...ack.data, reason: 'teacher' }));
    return ack;
  }

  reveal(quizId: string): Promise<Ack<unknown>> {
    return this.send(QuizEvents.reveal, { quizId });
  }

  status(quizId: string, questionId: string): AnswerStatus {
    return this.statuses().get(statusKey(quizId, questionId)) ?? { state: 'open' };
  }

  private setStatus(quizId: string, questionId: string, s: AnswerStatus) {
    this.statuses.update((m) => new Map(m).set(statusKey(quizId, questionId), s));
  }

  async answer(quizId: string, questionId: string, answer: QuizAnswer, changeable: boolean): Promise<void> {
    this.setStatus(quizId, questionId, { state: 'sending' });
    const ack = await this.send(QuizEvents.answer, { quizId, questionId, answer });
    if (ack.ok) {
      this.setStatus(quizId, questionId, { state: 'received', at: Date.now(), changeable });
      this.quizzes.update((l) => withMine(l, quizId, { questionId, answer, answeredAt: ack.data.receivedAt }));
    } else {
      const status = refusalStatus(ack.error);
      this.setStatus(quizId, questionId, status);
      // Too late: the quiz is closed, even if its close has not reached this page yet.
      if (status.state === 'late') {
        const closedAt = new Date(Date.now() + this.offsetMs()).toISOString();
        this.quizzes.update((l) => withClosed(l, { quizId, closedAt, reason: 'time' }));
      }
    }
  }

  /** Puts a finished quiz away (it comes back when its results are revealed). */
  dismiss(quizId: string): void {
    this.dismissed.update((s) => new Set(s).add(quizId));
  }
}
