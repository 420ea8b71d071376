import { ChangeDetectionStrategy, Component, effect, inject, input, output, signal } from '@angular/core';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { LanguageService } from '../../core/i18n/i18n';
import { QUIZ_LIMITS, questionTypes, type QuestionDraft, type QuestionType } from '@contracts/quiz';
import {
  addOption,
  changeType,
  emptyForm,
  fromDraft,
  optionLetter,
  QuestionForm,
  removeOption,
  setOption,
  toDraft,
  toggleCorrect,
} from './question-form';

let nextId = 0;

/** Writes or edits one question of any type (the bank and a question typed mid-class use it alike). */
@Component({
  selector: 'app-question-editor',
  imports: [TranslocoPipe],
  template: `
    <form class="editor" (submit)="submit($event)" data-testid="question-editor">
      <label class="row"
        >{{ 'quizTeach.editor.type' | transloco }}
        <select [value]="form().type" (change)="setType($any($event.target).value)" data-testid="qe-type">
          @for (t of types; track t) {
            <option [value]="t" [selected]="t === form().type">{{ 'quizTeach.types.' + t | transloco }}</option>
          }
        </select>
      </label>
      <label class="row"
        >{{ 'quizTeach.editor.question' | transloco }}
        <textarea
          rows="2"
          [attr.maxlength]="limits.promptLength"
          [value]="form().prompt"
          (input)="patch({ prompt: $any($event.target).value })"
          data-testid="qe-prompt"
        ></textarea>
      </label>
      @switch (form().type) {
        @case ('true_false') {
          <fieldset class="row">
            <legend>{{ 'quizTeach.editor.rightAnswer' | transloco }}</legend>
            <label
              ><input type="radio" [name]="uid + '-tf'" [checked]="form().truth" (change)="patch({ truth: true })" />
              {{ 'quizTeach.true' | transloco }}</label
            >
            <label
              ><input type="radio" [name]="uid + '-tf'" [checked]="!form().truth" (change)="patch({ truth: false })" />
              {{ 'quizTeach.false' | transloco }}</label
            >
          </fieldset>
        }
        @case ('short') {
          <label class="row"
            >{{ 'quizTeach.editor.accepted' | transloco }}
            <small class="muted">{{ 'quizTeach.editor.acceptedNote' | transloco }}</small>
            <textarea
              rows="3"
              [value]="form().accepted"
              (input)="patch({ accepted: $any($event.target).value })"
              data-testid="qe-accepted"
            ></textarea>
          </label>
        }
        @case ('numeric') {
          <div class="pair">
            <label class="row"
              >{{ 'quizTeach.editor.rightAnswer' | transloco }}
              <input
                type="text"
                inputmode="decimal"
                [value]="form().value"
                (input)="patch({ value: $any($event.target).value })"
                data-testid="qe-value"
            /></label>
            <label class="row"
              >{{ 'quizTeach.editor.tolerance' | transloco }}
              <input
                type="text"
                inputmode="decimal"
                [value]="form().tolerance"
                (input)="patch({ tolerance: $any($event.target).value })"
                data-testid="qe-tolerance"
            /></label>
          </div>
        }
        @default {
          <fieldset class="row options">
            <legend>
              {{ 'quizTeach.editor.options' | transloco }}
              @if (form().type !== 'poll') {
                <small class="muted">{{
                  (form().type === 'single' ? 'quizTeach.editor.tickOne' : 'quizTeach.editor.tickMany') | transloco
                }}</small>
              }
            </legend>
            @for (o of form().options; track $index; let i = $index) {
              <div class="option">
                @if (form().type === 'single') {
                  <input
                    type="radio"
                    [name]="uid + '-right'"
                    [checked]="form().correct.includes(i)"
                    (change)="form.set(toggleCorrect(form(), i))"
                    [attr.aria-label]="'quizTeach.editor.optionRight' | transloco: { letter: letter(i) }"
                    data-testid="qe-correct"
                  />
                } @else if (form().type === 'multiple') {
                  <input
                    type="checkbox"
                    [checked]="form().correct.includes(i)"
                    (change)="form.set(toggleCorrect(form(), i))"
                    [attr.aria-label]="'quizTeach.editor.optionRight' | transloco: { letter: letter(i) }"
                    data-testid="qe-correct"
                  />
                }
                <span class="letter" aria-hidden="true">{{ letter(i) }}</span>
                <input
                  type="text"
                  [attr.maxlength]="limits.optionLength"
                  [value]="o"
                  (input)="form.set(setOption(form(), i, $any($event.target).value))"
                  [attr.aria-label]="'quizTeach.editor.option' | transloco: { letter: letter(i) }"
                  data-testid="qe-option"
                />
                <button
                  type="button"
                  class="btn quiet small"
                  [disabled]="form().options.length <= 2"
                  (click)="form.set(removeOption(form(), i))"
                  [attr.aria-label]="'quizTeach.editor.removeOption' | transloco: { letter: letter(i) }"
                >
                  ✕
                </button>
              </div>
            }
            <button
              type="button"
              class="btn quiet small"
              [disabled]="form().options.length >= limits.options"
              (click)="form.set(addOption(form()))"
              data-testid="qe-add-option"
            >
              {{ 'quizTeach.editor.addOption' | transloco }}
            </button>
            @if (form().type === 'poll') {
              <label
                ><input
                  type="checkbox"
                  [checked]="form().pollMultiple"
                  (change)="patch({ pollMultiple: $any($event.target).checked })"
                />
                {{ 'quizTeach.editor.several' | transloco }}</label
              >
            }
          </fieldset>
        }
      }
      @if (form().type === 'multiple') {
        <p class="muted small">
          {{ 'quizTeach.editor.multipleScore' | transloco }}
        </p>
      }
      @if (error(); as e) {
        <p class="error" role="alert" data-testid="qe-error">{{ e }}</p>
      }
      <div class="actions">
        <button class="btn" data-testid="qe-save">{{ submitLabel() ?? ('quizTeach.editor.save' | transloco) }}</button>
        <button type="button" class="btn quiet" (click)="cancelled.emit()">{{ 'common.cancel' | transloco }}</button>
      </div>
    </form>
  `,
  styles: `
    .editor {
      display: grid;
      gap: 0.7rem;
    }
    .row {
      display: grid;
      gap: 0.3rem;
      border: 0;
      padding: 0;
      margin: 0;
      min-width: 0;
    }
    legend {
      padding: 0;
      margin-bottom: 0.3rem;
    }
    textarea,
    input[type='text'],
    select {
      font: inherit;
      padding: 0.55rem;
      border: 1px solid #cbd5e1;
      border-radius: 8px;
      width: 100%;
      min-height: 44px;
    }
    .pair {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: 0.6rem;
    }
    .option {
      display: flex;
      align-items: center;
      gap: 0.4rem;
      margin-bottom: 0.35rem;
    }
    .option input[type='radio'],
    .option input[type='checkbox'] {
      width: 1.4rem;
      height: 1.4rem;
      flex: none;
    }
    .letter {
      font-weight: 700;
      width: 1.2rem;
      text-align: center;
      flex: none;
    }
    .options > label {
      display: flex;
      gap: 0.4rem;
      align-items: center;
      margin-top: 0.3rem;
    }
    fieldset label {
      margin-right: 1rem;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      flex-wrap: wrap;
    }
    .btn.small {
      padding: 0.3rem 0.6rem;
      min-height: 36px;
      font-size: 0.9rem;
    }
    .small {
      font-size: 0.85rem;
      margin: 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuestionEditorComponent {
  /** The question to edit (none: a new one). */
  readonly initial = input<QuestionDraft | null>(null);
  /** The save button's words (none: "Save question" in the person's language). */
  readonly submitLabel = input<string | null>(null);
  readonly saved = output<QuestionDraft>();
  readonly cancelled = output<void>();
  protected readonly form = signal<QuestionForm>(emptyForm());
  protected readonly error = signal<string | null>(null);
  protected readonly types = questionTypes;
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  protected readonly limits = QUIZ_LIMITS;
  protected readonly uid = `qe${++nextId}`;
  protected readonly letter = optionLetter;
  protected readonly toggleCorrect = toggleCorrect;
  protected readonly setOption = setOption;
  protected readonly removeOption = removeOption;
  protected readonly addOption = addOption;

  constructor() {
    effect(() => {
      const d = this.initial();
      this.form.set(d ? fromDraft(d) : emptyForm());
      this.error.set(null);
    });
  }

  protected patch(p: Partial<QuestionForm>) {
    this.form.update((f) => ({ ...f, ...p }));
  }

  protected setType(type: QuestionType) {
    if ((questionTypes as readonly string[]).includes(type)) this.form.update((f) => changeType(f, type));
  }

  protected submit(event: Event) {
    event.preventDefault();
    const r = toDraft(this.form(), (key, params) => (this.language.current(), this.i18n.translate(key, params)));
    if (!r.ok) {
      this.error.set(r.error);
      return;
    }
    this.error.set(null);
    this.saved.emit(r.draft);
  }

  /** Clears the form for the next question. */
  reset() {
    this.form.set(emptyForm(this.form().type));
    this.error.set(null);
  }
}
