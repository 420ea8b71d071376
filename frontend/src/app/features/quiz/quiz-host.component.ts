import { ChangeDetectionStrategy, Component, computed, inject, input, output, signal } from '@angular/core';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { LanguageService } from '../../core/i18n/i18n';
import type { QuizTeacherView } from '@contracts/quiz';
import { optionsOf } from './answer-form';
import { answeredSummary, questionChart } from './quiz-chart';
import { QuizChartComponent } from './quiz-chart.component';
import { QuizCountdownComponent } from './quiz-countdown.component';
import { QuizLive } from './quiz-live.service';
import { rightAnswerText, type Translate } from './question-form';

/** The instructor's view of a launched quiz: countdown, answered of present, a live chart per question, close and reveal. */
@Component({
  selector: 'app-quiz-host',
  imports: [QuizChartComponent, QuizCountdownComponent, TranslocoPipe],
  template: `
    <section class="host" aria-labelledby="quiz-host-title" data-testid="quiz-host" [attr.data-quiz]="view().id">
      <header class="top">
        <h2 id="quiz-host-title">{{ view().title }}</h2>
        @if (open() && view().closesAt) {
          <app-quiz-countdown [closesAt]="view().closesAt!" [offsetMs]="live.offsetMs()" />
        }
        <span class="tag" [class.live]="open()" data-testid="quiz-state">{{
          'quizTeach.state.' + (open() ? 'open' : revealed() ? 'revealed' : 'closed') | transloco
        }}</span>
      </header>
      <p class="summary" aria-live="polite" data-testid="quiz-answered-total">{{ summary() }}</p>
      <p class="muted rules">
        {{
          view().graded
            ? ('quizTeach.gradedOutOf' | transloco: { points: view().points })
            : ('quizTeach.notGraded' | transloco)
        }}{{ view().anonymous ? ('quizTeach.anonymousNote' | transloco) : ''
        }}{{ view().allowChange ? ('quizTeach.mayChangeNote' | transloco) : '' }}
      </p>
      <div class="actions">
        @if (open()) {
          <button class="btn live" (click)="close()" [disabled]="busy()" data-testid="quiz-close">
            {{ 'quizTeach.closeNow' | transloco }}
          </button>
        }
        @if (!revealed()) {
          <button class="btn" (click)="reveal()" [disabled]="busy()" data-testid="quiz-reveal">
            {{ (open() ? 'quizTeach.closeAndShow' : 'quizTeach.showResults') | transloco }}
          </button>
        }
        @if (!open()) {
          <button class="btn quiet" (click)="another.emit()" data-testid="quiz-new">
            {{ 'quizTeach.newQuiz' | transloco }}
          </button>
        }
      </div>
      @if (error(); as e) {
        <p class="error" role="alert">{{ e }}</p>
      }
      @for (q of questions(); track q.id; let i = $index) {
        <article class="question" [attr.data-question]="q.id">
          <h3>
            {{ questions().length > 1 ? i + 1 + '. ' : '' }}{{ q.prompt }}
            <small class="type">{{ 'quizTeach.types.' + q.type | transloco }}</small>
          </h3>
          @if (revealed() && q.right) {
            <p class="right">
              {{ 'quizTeach.rightAnswer' | transloco }} <strong>{{ q.right }}</strong>
            </p>
          }
          <app-quiz-chart [view]="q.chart" />
        </article>
      }
    </section>
  `,
  styles: `
    .host {
      display: grid;
      gap: 0.6rem;
    }
    .top {
      display: flex;
      align-items: center;
      gap: 0.6rem;
      flex-wrap: wrap;
    }
    h2 {
      margin: 0;
      font-size: 1.15rem;
      flex: 1;
      min-width: 8rem;
    }
    h3 {
      font-size: 1rem;
      margin: 0 0 0.3rem;
      overflow-wrap: anywhere;
    }
    .type {
      font-weight: 400;
      font-size: 0.75rem;
      background: #e0e7ff;
      border-radius: 6px;
      padding: 0 0.35rem;
    }
    .tag {
      background: #e5e7eb;
      border-radius: 999px;
      padding: 0.15rem 0.6rem;
      font-size: 0.85rem;
    }
    .tag.live {
      background: #fee2e2;
      color: #991b1b;
    }
    .summary {
      font-size: 1.1rem;
      font-weight: 600;
      margin: 0;
    }
    .rules {
      margin: 0;
      font-size: 0.9rem;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      flex-wrap: wrap;
    }
    .question {
      border-top: 1px solid #e5e7eb;
      padding-top: 0.5rem;
    }
    .right {
      margin: 0 0 0.3rem;
      color: var(--ok);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuizHostComponent {
  readonly view = input.required<QuizTeacherView>();
  readonly another = output<void>();
  protected readonly live = inject(QuizLive);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  private readonly t: Translate = (key, params) => (this.language.current(), this.i18n.translate(key, params));
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly open = computed(() => !this.view().closedAt);
  protected readonly revealed = computed(() => !!this.view().revealedAt);
  protected readonly summary = computed(() => {
    const t = this.view().tally;
    return answeredSummary(t.answered, t.present, this.t);
  });
  protected readonly questions = computed(() => {
    const v = this.view();
    const tallies = new Map(v.tally.questions.map((t) => [t.questionId, t]));
    return v.questions.map((q) => ({
      id: q.id,
      prompt: q.prompt,
      type: q.type,
      right: rightAnswerText(q, this.t),
      // Before the first answer a choice question still shows its options, at zero.
      chart: questionChart(
        tallies.get(q.id) ?? { questionId: q.id, answered: 0, bars: optionsOf(q).map((o) => ({ ...o, count: 0 })) },
        v.tally.present,
        this.revealed(),
        this.t,
      ),
    }));
  });

  protected close() {
    return this.act(() => this.live.close(this.view().id));
  }

  protected reveal() {
    return this.act(() => this.live.reveal(this.view().id));
  }

  private async act(fn: () => Promise<{ ok: boolean; error?: { message: string } }>) {
    this.busy.set(true);
    const ack = await fn();
    this.busy.set(false);
    this.error.set(ack.ok ? null : (ack.error?.message ?? this.t('quizTeach.refused')));
  }
}
