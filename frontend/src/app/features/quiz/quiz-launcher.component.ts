import { ChangeDetectionStrategy, Component, computed, inject, OnInit, output, signal } from '@angular/core';
import type { BankQuestion, QuestionDraft } from '@contracts/quiz';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { errorKey, toShownError } from '../../core/api-error';
import { LanguageService } from '../../core/i18n/i18n';
import {
  emptyLaunch,
  launchPayload,
  LaunchForm,
  mayBeAnonymous,
  moveBankQuestion,
  questionCount,
  TIME_LIMITS,
  toggleBankQuestion,
} from './launch-form';
import { QuestionEditorComponent } from './question-editor.component';
import type { Translate } from './question-form';
import { QuizApi } from './quiz-api.service';
import { QuizLive } from './quiz-live.service';

/** The instructor's launcher in the room: questions from the course's bank and typed now, the quiz's rules, Launch. */
@Component({
  selector: 'app-quiz-launcher',
  imports: [QuestionEditorComponent, TranslocoPipe],
  template: `
    <div class="launcher" data-testid="quiz-launcher">
      <h2>{{ 'quizTeach.launchTitle' | transloco }}</h2>
      @if (typing()) {
        <app-question-editor
          [submitLabel]="'quizTeach.addToQuiz' | transloco"
          (saved)="addTyped($event)"
          (cancelled)="typing.set(false)"
        />
      } @else {
        <button type="button" class="btn quiet" (click)="typing.set(true)" data-testid="quiz-type-question">
          {{ 'quizTeach.typeNow' | transloco }}
        </button>
      }
      @if (form().typed.length) {
        <ol class="typed" [attr.aria-label]="'quizTeach.typedNow' | transloco">
          @for (q of form().typed; track $index; let i = $index) {
            <li>
              <span class="type">{{ 'quizTeach.types.' + q.type | transloco }}</span> {{ q.prompt }}
              <button
                type="button"
                class="link"
                (click)="removeTyped(i)"
                [attr.aria-label]="'quizTeach.remove' | transloco: { prompt: q.prompt }"
              >
                ✕
              </button>
            </li>
          }
        </ol>
      }
      <fieldset class="bank">
        <legend>{{ 'quizTeach.fromBank' | transloco }}</legend>
        @if (bankError(); as e) {
          <p class="error">{{ e }}</p>
        }
        @for (b of bank(); track b.id) {
          <div class="bank-row">
            <label
              ><input
                type="checkbox"
                [checked]="form().bankIds.includes(b.id)"
                (change)="form.set(toggle(form(), b.id))"
                [attr.data-question]="b.question.prompt"
              />
              <span class="type">{{ 'quizTeach.types.' + b.question.type | transloco }}</span> {{ b.question.prompt }}
              @if (order(b.id); as n) {
                <span class="order" [attr.aria-label]="'quizTeach.asked' | transloco: { n: n }">#{{ n }}</span>
              }
            </label>
            @if (order(b.id)) {
              <button
                type="button"
                class="link"
                (click)="form.set(move(form(), b.id, -1))"
                [attr.aria-label]="'quizTeach.earlier' | transloco: { prompt: b.question.prompt }"
              >
                ↑
              </button>
              <button
                type="button"
                class="link"
                (click)="form.set(move(form(), b.id, 1))"
                [attr.aria-label]="'quizTeach.later' | transloco: { prompt: b.question.prompt }"
              >
                ↓
              </button>
            }
          </div>
        } @empty {
          <p class="muted">{{ 'quizTeach.noSaved' | transloco }}</p>
        }
      </fieldset>
      <div class="rules">
        <label
          >{{ 'quizTeach.title' | transloco }}
          <input
            type="text"
            [value]="form().title"
            (input)="patch({ title: $any($event.target).value })"
            [placeholder]="firstPrompt() ?? ('quizTeach.defaultTitle' | transloco)"
            data-testid="quiz-title"
        /></label>
        <label
          >{{ 'quizTeach.time' | transloco }}
          <select (change)="patch({ timeLimit: $any($event.target).value })" data-testid="quiz-time-limit">
            @for (t of times; track t.seconds) {
              <option [value]="t.seconds" [selected]="t.seconds === form().timeLimit">
                {{ 'quizTeach.times.' + t.label | transloco }}
              </option>
            }
          </select>
        </label>
        <label class="check"
          ><input
            type="checkbox"
            [checked]="form().allowChange"
            (change)="patch({ allowChange: $any($event.target).checked })"
          />
          {{ 'quizTeach.allowChange' | transloco }}</label
        >
        @if (pollsOnly()) {
          <label class="check"
            ><input
              type="checkbox"
              [checked]="form().anonymous"
              (change)="patch({ anonymous: $any($event.target).checked })"
              data-testid="quiz-anonymous"
            />
            {{ 'quizTeach.anonymous' | transloco }}</label
          >
        }
        @if (!form().anonymous) {
          <label class="check"
            ><input
              type="checkbox"
              [checked]="form().graded"
              (change)="patch({ graded: $any($event.target).checked })"
              data-testid="quiz-graded"
            />
            {{ 'quizTeach.graded' | transloco }}</label
          >
          @if (form().graded) {
            <label
              >{{ 'quizTeach.points' | transloco }}
              <input
                type="text"
                inputmode="decimal"
                [value]="form().points"
                (input)="patch({ points: $any($event.target).value })"
                [placeholder]="'quizTeach.pointsPlaceholder' | transloco"
                data-testid="quiz-points"
            /></label>
            <label class="check"
              ><input
                type="checkbox"
                [checked]="form().zeroForUnanswered"
                (change)="patch({ zeroForUnanswered: $any($event.target).checked })"
              />
              {{ 'quizTeach.zeroForUnanswered' | transloco }}</label
            >
          }
        }
      </div>
      @if (error(); as e) {
        <p class="error" role="alert" data-testid="quiz-launch-error">{{ e }}</p>
      }
      <button class="btn live launch" [disabled]="busy() || count() === 0" (click)="launch()" data-testid="quiz-launch">
        {{ count() === 1 ? ('quizTeach.launchOne' | transloco) : ('quizTeach.launchMany' | transloco: { n: count() }) }}
      </button>
    </div>
  `,
  styles: `
    .launcher {
      display: grid;
      gap: 0.7rem;
    }
    h2 {
      margin: 0;
      font-size: 1.1rem;
    }
    fieldset {
      border: 1px solid #e5e7eb;
      border-radius: 10px;
      padding: 0.5rem 0.7rem;
      margin: 0;
      max-height: 14rem;
      overflow: auto;
    }
    .bank-row {
      display: flex;
      align-items: center;
      gap: 0.3rem;
    }
    .bank-row label {
      flex: 1;
      display: flex;
      gap: 0.4rem;
      align-items: baseline;
      padding: 0.3rem 0;
      min-height: 36px;
    }
    .type {
      font-size: 0.75rem;
      background: #e0e7ff;
      border-radius: 6px;
      padding: 0 0.35rem;
      white-space: nowrap;
    }
    .order {
      font-weight: 700;
      color: var(--accent);
    }
    .typed {
      margin: 0;
      padding-left: 1.2rem;
    }
    .rules {
      display: grid;
      gap: 0.5rem;
    }
    .rules label:not(.check) {
      display: grid;
      gap: 0.2rem;
    }
    .rules input[type='text'],
    select {
      font: inherit;
      padding: 0.5rem;
      border: 1px solid #cbd5e1;
      border-radius: 8px;
      min-height: 44px;
    }
    .check {
      display: flex;
      gap: 0.4rem;
      align-items: center;
    }
    .link {
      background: none;
      border: 0;
      cursor: pointer;
      color: var(--accent);
      min-width: 32px;
      min-height: 32px;
    }
    .launch {
      width: 100%;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuizLauncherComponent implements OnInit {
  private readonly api = inject(QuizApi);
  private readonly live = inject(QuizLive);
  readonly launched = output<void>();
  protected readonly bank = signal<BankQuestion[]>([]);
  protected readonly bankError = signal<string | null>(null);
  protected readonly form = signal<LaunchForm>(emptyLaunch());
  protected readonly typing = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  private readonly t: Translate = (key, params) => (this.language.current(), this.i18n.translate(key, params));
  protected readonly times = TIME_LIMITS;
  protected readonly toggle = toggleBankQuestion;
  protected readonly move = moveBankQuestion;
  protected readonly count = computed(() => questionCount(this.form()));
  /** The picked questions, in the order they will be asked. */
  private readonly picked = computed(() => {
    const byId = new Map(this.bank().map((b) => [b.id, b.question]));
    const f = this.form();
    return [...f.bankIds.flatMap((id) => byId.get(id) ?? []), ...f.typed];
  });
  protected readonly firstPrompt = computed<string | null>(() => this.picked().at(0)?.prompt ?? null);
  protected readonly pollsOnly = computed(() => mayBeAnonymous(this.picked().map((q) => q.type)));

  async ngOnInit(): Promise<void> {
    try {
      this.bank.set(await this.api.questions());
    } catch (e) {
      const shown = toShownError(e);
      const key = errorKey(shown);
      this.bankError.set(this.t('quizTeach.bankFailed', { message: key ? this.t(key) : shown.message }));
    }
  }

  protected order(id: string): number {
    return this.form().bankIds.indexOf(id) + 1;
  }

  protected patch(p: Partial<LaunchForm>) {
    this.form.update((f) => ({ ...f, ...p }));
  }

  protected addTyped(q: QuestionDraft) {
    this.form.update((f) => ({ ...f, typed: [...f.typed, q] }));
    this.typing.set(false);
  }

  protected removeTyped(i: number) {
    this.form.update((f) => ({ ...f, typed: f.typed.filter((_, j) => j !== i) }));
  }

  protected async launch() {
    const r = launchPayload(
      this.form(),
      this.firstPrompt(),
      this.picked().map((q) => q.type),
      this.t,
    );
    if (!r.ok) {
      this.error.set(r.error);
      return;
    }
    this.busy.set(true);
    const ack = await this.live.launch(r.payload);
    this.busy.set(false);
    if (!ack.ok) {
      const key = errorKey(ack.error);
      this.error.set(key ? this.t(key) : ack.error.message);
      return;
    }
    this.error.set(null);
    this.form.set({
      ...emptyLaunch(),
      timeLimit: this.form().timeLimit,
      graded: this.form().graded,
      points: this.form().points,
    });
    this.launched.emit();
  }
}
