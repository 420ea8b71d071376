import { launchSchema, QUIZ_LIMITS, type QuestionDraft, type QuizEvents, type QuizPayload } from '@contracts/quiz';
import { EN } from '../../core/i18n/en';
import { translatorOf } from '../../core/i18n/language';
import { parseNumber } from './answer-form';
import type { Translate } from './question-form';

const english: Translate = translatorOf(EN);

/**
 * What the instructor sets before launching: questions from the bank (in the order picked), questions
 * typed now, and the quiz's rules; turned into the contract's quiz:launch payload. Pure.
 */
export interface LaunchForm {
  title: string;
  /** Bank question ids, in the order they will be asked. */
  bankIds: string[];
  /** Questions typed in class (saved to the bank at launch). */
  typed: QuestionDraft[];
  /** Seconds as chosen ('' = no limit). */
  timeLimit: string;
  graded: boolean;
  /** '' = the classroom's quiz points. */
  points: string;
  zeroForUnanswered: boolean;
  allowChange: boolean;
  anonymous: boolean;
}

/** The time limits offered; `label` is a key under quizTeach.times. */
export const TIME_LIMITS: ReadonlyArray<{ seconds: string; label: string }> = [
  { seconds: '', label: 'none' },
  { seconds: '30', label: 's30' },
  { seconds: '60', label: 'm1' },
  { seconds: '120', label: 'm2' },
  { seconds: '300', label: 'm5' },
  { seconds: '600', label: 'm10' },
];

export function emptyLaunch(): LaunchForm {
  return {
    title: '',
    bankIds: [],
    typed: [],
    timeLimit: '60',
    graded: false,
    points: '',
    zeroForUnanswered: false,
    allowChange: false,
    anonymous: false,
  };
}

/** Ticks a bank question in (asked after those already picked) or out. */
export function toggleBankQuestion(f: LaunchForm, id: string): LaunchForm {
  return { ...f, bankIds: f.bankIds.includes(id) ? f.bankIds.filter((x) => x !== id) : [...f.bankIds, id] };
}

export function moveBankQuestion(f: LaunchForm, id: string, by: -1 | 1): LaunchForm {
  const i = f.bankIds.indexOf(id);
  const j = i + by;
  if (i < 0 || j < 0 || j >= f.bankIds.length) return f;
  const ids = [...f.bankIds];
  [ids[i], ids[j]] = [ids[j], ids[i]];
  return { ...f, bankIds: ids };
}

export function questionCount(f: LaunchForm): number {
  return f.bankIds.length + f.typed.length;
}

/** Only polls may be anonymous: `types` are the types of every question picked. */
export function mayBeAnonymous(types: readonly string[]): boolean {
  return types.length > 0 && types.every((t) => t === 'poll');
}

export type LaunchResult = { ok: true; payload: QuizPayload<typeof QuizEvents.launch> } | { ok: false; error: string };

/**
 * The payload, or what to fix. `firstPrompt` gives a default title (the first question's prompt) and
 * `types` whether the quiz may be anonymous.
 */
export function launchPayload(
  f: LaunchForm,
  firstPrompt: string | null,
  types: readonly string[],
  t: Translate = english,
): LaunchResult {
  const n = questionCount(f);
  if (n === 0) return { ok: false, error: t('quizTeach.pickOneQuestion') };
  if (n > QUIZ_LIMITS.questions) return { ok: false, error: t('quizTeach.tooMany', { n: QUIZ_LIMITS.questions }) };
  const fallback = (firstPrompt ?? t('quizTeach.defaultTitle')).replace(/\s+/g, ' ').trim();
  const title = (f.title.trim() || (fallback.length > 60 ? `${fallback.slice(0, 59)}…` : fallback)).slice(
    0,
    QUIZ_LIMITS.titleLength,
  );
  let points: number | undefined;
  if (f.graded && f.points.trim()) {
    const p = parseNumber(f.points);
    if (p === null || p <= 0 || p > QUIZ_LIMITS.points)
      return { ok: false, error: `Points must be a number above 0, at most ${QUIZ_LIMITS.points}.` };
    points = p;
  }
  const anonymous = f.anonymous && mayBeAnonymous(types);
  if (f.anonymous && !anonymous) return { ok: false, error: t('quizTeach.anonymousPollsOnly') };
  const payload = {
    title,
    questionIds: [...f.bankIds],
    newQuestions: [...f.typed],
    ...(f.timeLimit ? { timeLimitSeconds: Number(f.timeLimit) } : {}),
    graded: f.graded && !anonymous,
    ...(points !== undefined ? { points } : {}),
    zeroForUnanswered: f.graded && f.zeroForUnanswered,
    allowChange: f.allowChange,
    anonymous,
  };
  const checked = launchSchema.safeParse(payload);
  return checked.success
    ? { ok: true, payload }
    : { ok: false, error: checked.error.issues[0]?.message ?? t('quizTeach.cannotLaunch') };
}
