import { EN } from '../../core/i18n/en';
import { translatorOf } from '../../core/i18n/language';
import {
  QUIZ_LIMITS,
  questionDraftSchema,
  type QuestionDraft,
  type QuestionType,
  type TeacherQuestion,
} from '@contracts/quiz';
import { parseNumber } from './answer-form';

/**
 * The question editor's state (bank and mid-class alike): every field of every type kept while the
 * type changes, so switching "single" to "multiple" loses nothing; turned into the contract's
 * QuestionDraft with errors a person understands. Pure.
 */
export interface QuestionForm {
  type: QuestionType;
  prompt: string;
  /** Single, multiple and poll. */
  options: string[];
  /** Right option indexes (single: one). */
  correct: number[];
  /** True/false: the right answer. */
  truth: boolean;
  /** Short answer: accepted answers, one per line. */
  accepted: string;
  /** Numeric: as typed. */
  value: string;
  tolerance: string;
  /** Poll: several options may be picked. */
  pollMultiple: boolean;
}

/** The messages below in a language (English unless a translator is passed). */
export type Translate = (key: string, params?: Record<string, string | number>) => string;
const english: Translate = translatorOf(EN);

export const TYPE_LABELS: Readonly<Record<QuestionType, string>> = {
  single: 'Single choice',
  multiple: 'Multiple choice',
  true_false: 'True / false',
  short: 'Short answer',
  numeric: 'Number',
  poll: 'Poll (no right answer)',
};

export function emptyForm(type: QuestionType = 'single'): QuestionForm {
  return {
    type,
    prompt: '',
    options: ['', ''],
    correct: [],
    truth: true,
    accepted: '',
    value: '',
    tolerance: '0',
    pollMultiple: false,
  };
}

export function fromDraft(d: QuestionDraft): QuestionForm {
  const f = { ...emptyForm(d.type), prompt: d.prompt };
  switch (d.type) {
    case 'single':
      return { ...f, options: [...d.options], correct: [d.correct] };
    case 'multiple':
      return { ...f, options: [...d.options], correct: [...d.correct].sort((a, b) => a - b) };
    case 'true_false':
      return { ...f, truth: d.correct };
    case 'short':
      return { ...f, accepted: d.accepted.join('\n') };
    case 'numeric':
      return { ...f, value: String(d.value), tolerance: String(d.tolerance) };
    case 'poll':
      return { ...f, options: [...d.options], pollMultiple: d.multiple };
  }
}

export function changeType(f: QuestionForm, type: QuestionType): QuestionForm {
  // Single choice keeps one right option of several.
  return { ...f, type, correct: type === 'single' ? f.correct.slice(0, 1) : f.correct };
}

export function addOption(f: QuestionForm): QuestionForm {
  return f.options.length >= QUIZ_LIMITS.options ? f : { ...f, options: [...f.options, ''] };
}

/** Removes an option; right answers after it move up with their options. */
export function removeOption(f: QuestionForm, i: number): QuestionForm {
  if (f.options.length <= 2 || i < 0 || i >= f.options.length) return f;
  return {
    ...f,
    options: f.options.filter((_, j) => j !== i),
    correct: f.correct.filter((c) => c !== i).map((c) => (c > i ? c - 1 : c)),
  };
}

export function setOption(f: QuestionForm, i: number, text: string): QuestionForm {
  return { ...f, options: f.options.map((o, j) => (j === i ? text.slice(0, QUIZ_LIMITS.optionLength) : o)) };
}

/** Marks an option right (single: the only one) or, for multiple choice, toggles it. */
export function toggleCorrect(f: QuestionForm, i: number): QuestionForm {
  if (f.type === 'single') return { ...f, correct: [i] };
  const on = f.correct.includes(i) ? f.correct.filter((c) => c !== i) : [...f.correct, i];
  return { ...f, correct: on.sort((a, b) => a - b) };
}

export type DraftResult = { ok: true; draft: QuestionDraft } | { ok: false; error: string };

const fail = (error: string): DraftResult => ({ ok: false, error });

/** The draft to save or launch, or the first thing to fix. */
export function toDraft(f: QuestionForm, t: Translate = english): DraftResult {
  const prompt = f.prompt.trim();
  if (!prompt) return fail(t('quizTeach.editor.writeIt'));
  const options = f.options.map((o) => o.trim());
  let draft: QuestionDraft;
  if (f.type === 'single' || f.type === 'multiple' || f.type === 'poll') {
    const blank = options.findIndex((o) => !o);
    if (blank >= 0) return fail(t('quizTeach.editor.optionEmpty', { n: blank + 1 }));
    if (new Set(options.map((o) => o.toLowerCase())).size !== options.length)
      return fail(t('quizTeach.editor.sameOptions'));
    const correct = f.correct.filter((c) => c < options.length);
    if (f.type === 'single') {
      if (correct.length !== 1) return fail(t('quizTeach.editor.markRight'));
      draft = { type: 'single', prompt, options, correct: correct[0] };
    } else if (f.type === 'multiple') {
      if (!correct.length) return fail(t('quizTeach.editor.markRightMany'));
      draft = { type: 'multiple', prompt, options, correct };
    } else {
      draft = { type: 'poll', prompt, options, multiple: f.pollMultiple };
    }
  } else if (f.type === 'true_false') {
    draft = { type: 'true_false', prompt, correct: f.truth };
  } else if (f.type === 'short') {
    const accepted = [
      ...new Set(
        f.accepted
          .split('\n')
          .map((a) => a.trim())
          .filter(Boolean),
      ),
    ];
    if (!accepted.length) return fail(t('quizTeach.editor.giveAccepted'));
    if (accepted.length > QUIZ_LIMITS.acceptedAnswers)
      return fail(t('quizTeach.editor.tooManyAccepted', { n: QUIZ_LIMITS.acceptedAnswers }));
    draft = { type: 'short', prompt, accepted };
  } else {
    const value = parseNumber(f.value);
    if (value === null) return fail(t('quizTeach.editor.notNumber'));
    const tolerance = f.tolerance.trim() ? parseNumber(f.tolerance) : 0;
    if (tolerance === null || tolerance < 0) return fail(t('quizTeach.editor.badTolerance'));
    draft = { type: 'numeric', prompt, value, tolerance };
  }
  // The contract has the last word (lengths, counts): its message, should a limit be missed above.
  const checked = questionDraftSchema.safeParse(draft);
  return checked.success
    ? { ok: true, draft: checked.data }
    : fail(checked.error.issues[0]?.message ?? t('quizTeach.editor.invalid'));
}

const letter = (i: number) => String.fromCharCode(65 + i);

/** The right answer in words ("A and C", "True", "Paris or Lutetia", "9.81 ± 0.05"); a poll has none. */
export function rightAnswerText(q: QuestionDraft | TeacherQuestion, t: Translate = english): string {
  switch (q.type) {
    case 'single':
      return `${letter(q.correct)}. ${q.options[q.correct] ?? ''}`;
    case 'multiple':
      return q.correct.map((c) => `${letter(c)}. ${q.options[c] ?? ''}`).join(t('quizTeach.and'));
    case 'true_false':
      return t(q.correct ? 'quizTeach.true' : 'quizTeach.false');
    case 'short':
      return q.accepted.join(t('quizTeach.or'));
    case 'numeric':
      return q.tolerance ? `${q.value} ± ${q.tolerance}` : String(q.value);
    case 'poll':
      return '';
  }
}

export { letter as optionLetter };
