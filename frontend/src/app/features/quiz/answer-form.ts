import { EN } from '../../core/i18n/en';
import { translatorOf } from '../../core/i18n/language';
import { QuizErrors, type QuizAnswer, type StudentQuestion } from '@contracts/quiz';
import type { AckError } from '@contracts/realtime';

/**
 * A student's answer before it is sent: which options are picked, the text typed, whether it can go,
 * and what the panel says after (received, late, closed). Pure: the panel keeps a draft in a signal
 * and asks these functions.
 */

export type AnswerInputKind = 'choice-one' | 'choice-many' | 'text' | 'number';

export interface AnswerDraft {
  kind: AnswerInputKind;
  /** Option ids picked, in the order the options are shown. */
  picked: readonly string[];
  text: string;
}

export interface AnswerOption {
  /** The option's index as text, or "true" / "false". */
  key: string;
  label: string;
}

/** How a question is answered: one tap, several taps, a text, a number. */
export function inputKindOf(q: Pick<StudentQuestion, 'type' | 'multiple'>): AnswerInputKind {
  switch (q.type) {
    case 'single':
    case 'true_false':
      return 'choice-one';
    case 'multiple':
      return 'choice-many';
    case 'poll':
      return q.multiple ? 'choice-many' : 'choice-one';
    case 'short':
      return 'text';
    case 'numeric':
      return 'number';
  }
}

/** The buttons a question offers, in order. */
export function optionsOf(q: Pick<StudentQuestion, 'type' | 'options'>): AnswerOption[] {
  if (q.type === 'true_false')
    return [
      { key: 'true', label: 'True' },
      { key: 'false', label: 'False' },
    ];
  return (q.options ?? []).map((label, i) => ({ key: String(i), label }));
}

/** The answer to send, or null if the draft is not ready (see whyNotReady). */
export function toAnswer(draft: AnswerDraft, q: Pick<StudentQuestion, 'type'>): QuizAnswer | null {
  if (whyNotReady(draft) !== null) return null;
  const indexes = draft.picked.map(Number);
  switch (q.type) {
    case 'single':
      return { type: 'single', choice: indexes[0] };
    case 'multiple':
      return { type: 'multiple', choices: indexes };
    case 'poll':
      return { type: 'poll', choices: indexes };
    case 'true_false':
      return { type: 'true_false', value: draft.picked[0] === 'true' };
    case 'short':
      return { type: 'short', text: draft.text.trim() };
    case 'numeric':
      return { type: 'numeric', value: parseNumber(draft.text)! };
  }
}

/** A draft showing an answer already given (after a reload or a reconnect). */
export function draftFromAnswer(q: Pick<StudentQuestion, 'type' | 'multiple'>, a: QuizAnswer): AnswerDraft {
  const d = emptyDraft(inputKindOf(q));
  switch (a.type) {
    case 'single':
      return { ...d, picked: [String(a.choice)] };
    case 'multiple':
    case 'poll':
      return { ...d, picked: [...a.choices].sort((x, y) => x - y).map(String) };
    case 'true_false':
      return { ...d, picked: [String(a.value)] };
    case 'short':
      return { ...d, text: a.text };
    case 'numeric':
      return { ...d, text: String(a.value) };
  }
}

export function emptyDraft(kind: AnswerInputKind): AnswerDraft {
  return { kind, picked: [], text: '' };
}

/** A tap on an option: one choice replaces the pick, several toggle it. Kept in the options' order. */
export function pick(draft: AnswerDraft, optionId: string, order: readonly string[]): AnswerDraft {
  if (!order.includes(optionId)) return draft;
  if (draft.kind === 'choice-one') return { ...draft, picked: [optionId] };
  if (draft.kind !== 'choice-many') return draft;
  const on = draft.picked.includes(optionId)
    ? draft.picked.filter((id) => id !== optionId)
    : [...draft.picked, optionId];
  return { ...draft, picked: order.filter((id) => on.includes(id)) };
}

export function typed(draft: AnswerDraft, text: string, maxLength: number): AnswerDraft {
  return { ...draft, text: text.slice(0, maxLength) };
}

/**
 * A number as people type it: "3.5", "3,5" (a decimal comma), "-0.25", "1e3", " 42 ". Thousands
 * separators are not guessed ("1,000" is 1.0 only if read as a decimal comma: refused instead).
 */
export function parseNumber(text: string): number | null {
  const t = text.trim().replace(/\s+/g, '');
  if (!/^[-+]?(\d+([.,]\d*)?|[.,]\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  if (/^[-+]?[1-9]\d*,\d{3}$/.test(t)) return null;
  const n = Number(t.replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}

type Translate = (key: string) => string;
const ENGLISH: Translate = translatorOf(EN);

/** Null when the draft can be sent, else why not (shown beside the disabled button), in the language of `t`. */
export function whyNotReady(draft: AnswerDraft, t: Translate = ENGLISH): string | null {
  switch (draft.kind) {
    case 'choice-one':
      return draft.picked.length === 1 ? null : t('quiz.why.pickOne');
    case 'choice-many':
      return draft.picked.length > 0 ? null : t('quiz.why.pickMany');
    case 'text':
      return draft.text.trim() ? null : t('quiz.why.type');
    case 'number':
      if (!draft.text.trim()) return t('quiz.why.typeNumber');
      return parseNumber(draft.text) === null ? t('quiz.why.notNumber') : null;
  }
}

/** Where the student's answer stands, shown by the panel. */
export type AnswerStatus =
  | { state: 'open' }
  | { state: 'sending' }
  | { state: 'received'; at: number; changeable: boolean }
  | { state: 'refused'; message: string }
  | { state: 'late' }
  | { state: 'closed'; answered: boolean };

/** Words for the status, said through the panel's polite live region. */
export function statusMessage(s: AnswerStatus, t: Translate = ENGLISH): string {
  switch (s.state) {
    case 'open':
      return '';
    case 'sending':
      return t('quiz.status.sending');
    case 'received':
      return t(s.changeable ? 'quiz.status.receivedChangeable' : 'quiz.status.received');
    case 'refused':
      return s.message;
    case 'late':
      return t('quiz.status.late');
    case 'closed':
      return t(s.answered ? 'quiz.status.closedAnswered' : 'quiz.status.closedNotAnswered');
  }
}

/** Refusals about the connection, not the answer: the student sends it again. */
const TRANSIENT = ['OFFLINE', 'TIMEOUT', 'NOT_IN_ROOM', 'RATE_LIMITED'];

/** What a refused answer means for the student: too late, try again, or the server's reason. */
export function refusalStatus(error: AckError): AnswerStatus {
  if (error.code === QuizErrors.quizClosed) return { state: 'late' };
  if (TRANSIENT.includes(error.code))
    return { state: 'refused', message: `Not sent (${error.message.toLowerCase()}): try again.` };
  return { state: 'refused', message: error.message };
}
