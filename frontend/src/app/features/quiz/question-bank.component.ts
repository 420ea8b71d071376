import { ChangeDetectionStrategy, Component, inject, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { ErrorNoticeComponent } from '../../core/error-notice.component';
import { LanguageService } from '../../core/i18n/i18n';
import type { BankQuestion, QuestionDraft } from '@contracts/quiz';
import { ShownError, toShownError } from '../../core/api-error';
import { QuestionEditorComponent } from './question-editor.component';
import { rightAnswerText } from './question-form';
import { QuizApi } from './quiz-api.service';

/** The course's question bank, prepared before class from the lobby: list, write, edit, delete. */
@Component({
  selector: 'app-question-bank',
  imports: [RouterLink, QuestionEditorComponent, TranslocoPipe, ErrorNoticeComponent],
  template: `
    <main class="page">
      <p>
        <a routerLink="/lobby">← {{ 'common.backToLobby' | transloco }}</a> ·
        <a routerLink="/quiz/results">{{ 'quizTeach.results.title' | transloco }}</a>
      </p>
      <section class="card">
        <h1>{{ 'quizTeach.bank.title' | transloco }}</h1>
        <p class="muted">{{ 'quizTeach.bank.intro' | transloco }}</p>
        @if (editing() === null) {
          <button class="btn" (click)="edit('new')" data-testid="bank-new">
            {{ 'quizTeach.bank.newQuestion' | transloco }}
          </button>
        }
        @if (editing() === 'new') {
          <h2>{{ 'quizTeach.bank.newTitle' | transloco }}</h2>
          <app-question-editor (saved)="create($event)" (cancelled)="editing.set(null)" />
        }
        @if (error(); as e) {
          <app-error-notice [error]="e" testId="bank-error" />
        }
        <ul class="list" data-testid="bank-list">
          @for (b of questions(); track b.id) {
            <li [attr.data-question]="b.id">
              @if (editing() === b.id) {
                <app-question-editor
                  [initial]="b.question"
                  (saved)="update(b.id, $event)"
                  (cancelled)="editing.set(null)"
                />
              } @else {
                <div class="q">
                  <span class="type">{{ 'quizTeach.types.' + b.question.type | transloco }}</span>
                  <p class="prompt">{{ b.question.prompt }}</p>
                  @if (answerOf(b); as a) {
                    <p class="muted small">{{ 'quizTeach.bank.rightAnswer' | transloco: { answer: a } }}</p>
                  }
                </div>
                <div class="actions">
                  <button
                    class="btn quiet small"
                    (click)="edit(b.id)"
                    [attr.aria-label]="'quizTeach.bank.editLabel' | transloco: { prompt: b.question.prompt }"
                  >
                    {{ 'quizTeach.bank.edit' | transloco }}
                  </button>
                  @if (confirming() === b.id) {
                    <button class="btn live small" (click)="remove(b.id)" data-testid="bank-delete-confirm">
                      {{ 'quizTeach.bank.deleteIt' | transloco }}
                    </button>
                    <button class="btn quiet small" (click)="confirming.set(null)">
                      {{ 'quizTeach.bank.keep' | transloco }}
                    </button>
                  } @else {
                    <button
                      class="btn quiet small"
                      (click)="confirming.set(b.id)"
                      [attr.aria-label]="'quizTeach.bank.deleteLabel' | transloco: { prompt: b.question.prompt }"
                      data-testid="bank-delete"
                    >
                      {{ 'quizTeach.bank.delete' | transloco }}
                    </button>
                  }
                </div>
              }
            </li>
          } @empty {
            @if (loaded()) {
              <li class="muted">{{ 'quizTeach.bank.empty' | transloco }}</li>
            }
          }
        </ul>
      </section>
    </main>
  `,
  styles: `
    .page {
      max-width: 48rem;
      margin: 0 auto;
      padding: 1rem;
    }
    h1 {
      margin-top: 0;
    }
    h2 {
      font-size: 1.05rem;
    }
    .list {
      list-style: none;
      padding: 0;
      margin: 1rem 0 0;
      display: grid;
      gap: 0.6rem;
    }
    .list > li {
      border: 1px solid #e5e7eb;
      border-radius: 10px;
      padding: 0.6rem 0.8rem;
      display: flex;
      gap: 0.6rem;
      flex-wrap: wrap;
      align-items: flex-start;
    }
    .q {
      flex: 1;
      min-width: 12rem;
    }
    .list app-question-editor {
      flex: 1;
    }
    .prompt {
      margin: 0.2rem 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .type {
      font-size: 0.75rem;
      background: #e0e7ff;
      border-radius: 6px;
      padding: 0 0.35rem;
    }
    .actions {
      display: flex;
      gap: 0.3rem;
      flex-wrap: wrap;
    }
    .btn.small {
      padding: 0.3rem 0.7rem;
      min-height: 40px;
      font-size: 0.9rem;
    }
    .small {
      font-size: 0.85rem;
      margin: 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuestionBankComponent implements OnInit {
  private readonly api = inject(QuizApi);
  protected readonly questions = signal<BankQuestion[]>([]);
  protected readonly loaded = signal(false);
  protected readonly error = signal<ShownError | null>(null);
  /** The question being edited ('new' for a new one). */
  protected readonly editing = signal<string | null>(null);
  protected readonly confirming = signal<string | null>(null);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);

  async ngOnInit(): Promise<void> {
    await this.act(async () => {
      this.questions.set(await this.api.questions());
      this.loaded.set(true);
    });
  }

  protected answerOf(b: BankQuestion): string {
    return rightAnswerText(b.question, (key, params) => (this.language.current(), this.i18n.translate(key, params)));
  }

  protected edit(id: string) {
    this.confirming.set(null);
    this.editing.set(id);
  }

  protected create(draft: QuestionDraft) {
    return this.act(async () => {
      const saved = await this.api.createQuestion(draft);
      this.questions.update((l) => [saved, ...l]);
      this.editing.set(null);
    });
  }

  protected update(id: string, draft: QuestionDraft) {
    return this.act(async () => {
      const saved = await this.api.updateQuestion(id, draft);
      this.questions.update((l) => l.map((b) => (b.id === id ? saved : b)));
      this.editing.set(null);
    });
  }

  protected remove(id: string) {
    return this.act(async () => {
      await this.api.deleteQuestion(id);
      this.questions.update((l) => l.filter((b) => b.id !== id));
      this.confirming.set(null);
    });
  }

  private async act(fn: () => Promise<void>) {
    try {
      await fn();
      this.error.set(null);
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }
}
