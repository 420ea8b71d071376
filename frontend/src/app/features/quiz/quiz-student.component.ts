import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { LanguageService } from '../../core/i18n/i18n';
import { ChangeDetectionStrategy, Component, computed, inject, input, linkedSignal, signal } from '@angular/core';
import { QUIZ_LIMITS, type QuizStudentView, type StudentQuestion } from '@contracts/quiz';
import {
  AnswerDraft,
  AnswerStatus,
  draftFromAnswer,
  emptyDraft,
  inputKindOf,
  optionsOf,
  pick,
  statusMessage,
  toAnswer,
  typed,
  whyNotReady,
} from './answer-form';
import { QuizChartComponent } from './quiz-chart.component';
import { questionChart } from './quiz-chart';
import { QuizCountdownComponent } from './quiz-countdown.component';
import { QuizLive } from './quiz-live.service';
import { optionLetter, rightAnswerText } from './question-form';

/**
 * A student's quiz panel: one question at a time, big targets for one thumb, the countdown, a clear
 * "answer received" (and "too late"), then the results when the instructor reveals them.
 */
@Component({
  selector: 'app-quiz-student',
  imports: [QuizChartComponent, QuizCountdownComponent, TranslocoPipe],
  templateUrl: './quiz-student.component.html',
  styleUrl: './quiz-student.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuizStudentComponent {
  readonly view = input.required<QuizStudentView>();
  protected readonly live = inject(QuizLive);
  /** The question shown; a new quiz starts at its first. (Drafts are kept by question id, unique across quizzes.) */
  protected readonly index = linkedSignal({ source: () => this.view().id, computation: () => 0 });
  private readonly drafts = signal<ReadonlyMap<string, AnswerDraft>>(new Map());
  protected readonly letter = optionLetter;
  protected readonly maxText = QUIZ_LIMITS.shortAnswerLength;

  protected readonly question = computed<StudentQuestion | null>(() => this.view().questions[this.index()] ?? null);
  protected readonly options = computed(() => {
    const q = this.question();
    return q ? optionsOf(q) : [];
  });
  protected readonly kind = computed(() => {
    const q = this.question();
    return q ? inputKindOf(q) : 'choice-one';
  });
  protected readonly draft = computed<AnswerDraft>(() => {
    const q = this.question();
    if (!q) return emptyDraft('choice-one');
    const kept = this.drafts().get(q.id);
    if (kept) return kept;
    const mine = this.view().mine.find((m) => m.questionId === q.id);
    return mine ? draftFromAnswer(q, mine.answer) : emptyDraft(inputKindOf(q));
  });
  protected readonly closed = computed(() => !!this.view().closedAt);
  protected readonly status = computed<AnswerStatus>(() => {
    const q = this.question();
    if (!q) return { state: 'open' };
    const v = this.view();
    const s = this.live.status(v.id, q.id);
    const answered = v.mine.some((m) => m.questionId === q.id);
    if (s.state === 'late') return s;
    if (v.closedAt && s.state !== 'sending') return { state: 'closed', answered };
    if (s.state === 'open' && answered) return { state: 'received', at: 0, changeable: v.allowChange };
    return s;
  });
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  private readonly t = (key: string) => (this.language.current(), this.i18n.translate(key));
  protected readonly message = computed(() => statusMessage(this.status(), this.t));
  /** Picks are locked once sent (unless changes are allowed) and when the quiz is closed. */
  protected readonly locked = computed(() => {
    const s = this.status();
    return this.closed() || s.state === 'sending' || s.state === 'late' || (s.state === 'received' && !s.changeable);
  });
  protected readonly why = computed(() => whyNotReady(this.draft(), this.t));
  protected readonly sendLabel = computed(() =>
    this.t(this.status().state === 'received' ? 'quiz.change' : 'quiz.send'),
  );
  protected readonly answeredCount = computed(() => this.view().mine.length);

  /** After reveal: each question with its right answer, my mark and the class's chart. */
  protected readonly results = computed(() => {
    const v = this.view();
    if (!v.revealed) return null;
    const fractions = new Map((v.result?.questions ?? []).map((q) => [q.questionId, q.fraction]));
    return v.revealed.questions.map(({ question, tally }) => ({
      id: question.id,
      prompt: question.prompt,
      right: rightAnswerText(question),
      fraction: fractions.get(question.id) ?? null,
      answered: v.mine.some((m) => m.questionId === question.id),
      chart: questionChart(tally, null, true),
    }));
  });

  private setDraft(d: AnswerDraft) {
    const q = this.question();
    if (q) this.drafts.update((m) => new Map(m).set(q.id, d));
  }

  protected tap(key: string) {
    if (this.locked()) return;
    this.setDraft(
      pick(
        this.draft(),
        key,
        this.options().map((o) => o.key),
      ),
    );
  }

  protected type(text: string) {
    if (!this.locked()) this.setDraft(typed(this.draft(), text, this.maxText));
  }

  protected picked(key: string): boolean {
    return this.draft().picked.includes(key);
  }

  protected async send(event?: Event) {
    event?.preventDefault();
    const q = this.question();
    const answer = q && toAnswer(this.draft(), q);
    if (!q || !answer || this.locked()) return;
    await this.live.answer(this.view().id, q.id, answer, this.view().allowChange);
  }

  protected go(step: number) {
    const n = this.view().questions.length;
    this.index.set(Math.min(n - 1, Math.max(0, this.index() + step)));
  }

  protected markOf(fraction: number | null, answered: boolean): string {
    if (!answered) return this.t('quiz.mark.notAnswered');
    if (fraction === null) return this.t('quiz.mark.answered');
    if (fraction >= 1) return `✓ ${this.t('quiz.mark.right')}`;
    if (fraction <= 0) return `✗ ${this.t('quiz.mark.wrong')}`;
    return this.i18n.translate('quiz.mark.partly', { percent: Math.round(fraction * 100) });
  }
}
