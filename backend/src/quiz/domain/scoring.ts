/**
 * Scoring of every question type, and which chart bars an answer counts in. Pure: no I/O.
 * The rules are those written in quiz/PROTOCOL.md.
 */
import type { QuestionDraft, QuizAnswer } from '../../contracts/quiz';

/** Short answers match lower-cased, with Unicode compatibility forms folded and whitespace collapsed. */
export function normaliseShort(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase('en').replace(/\s+/gu, ' ').trim();
}

/** Why an answer does not fit its question (a contract code), or null when it does. */
export function answerProblem(q: QuestionDraft, a: QuizAnswer): 'ANSWER_TYPE_MISMATCH' | 'OPTION_OUT_OF_RANGE' | null {
  if (q.type !== a.type) return 'ANSWER_TYPE_MISMATCH';
  const picked = a.type === 'single' ? [a.choice] : a.type === 'multiple' || a.type === 'poll' ? a.choices : [];
  if ('options' in q && picked.some((i) => i >= q.options.length)) return 'OPTION_OUT_OF_RANGE';
  if (a.type === 'poll' && q.type === 'poll' && !q.multiple && a.choices.length !== 1) return 'OPTION_OUT_OF_RANGE';
  if (new Set(picked).size !== picked.length) return 'OPTION_OUT_OF_RANGE';
  return null;
}

/**
 * The automatic mark of an answer, 0..1. Multiple choice: (right picked - wrong picked) / right options,
 * never below 0, so picking every option is not a way to full marks. A poll scores 1 for taking part.
 */
export function autoFraction(q: QuestionDraft, a: QuizAnswer): number {
  if (answerProblem(q, a)) return 0;
  switch (q.type) {
    case 'single':
      return a.type === 'single' && a.choice === q.correct ? 1 : 0;
    case 'multiple': {
      if (a.type !== 'multiple') return 0;
      const right = new Set(q.correct);
      const hits = a.choices.filter((c) => right.has(c)).length;
      const misses = a.choices.length - hits;
      return Math.max(0, (hits - misses) / right.size);
    }
    case 'true_false':
      return a.type === 'true_false' && a.value === q.correct ? 1 : 0;
    case 'short': {
      if (a.type !== 'short') return 0;
      const given = normaliseShort(a.text);
      return given !== '' && q.accepted.some((t) => normaliseShort(t) === given) ? 1 : 0;
    }
    case 'numeric':
      // A hair of slack for binary fractions (0.1 + 0.2 within 0 of 0.3).
      return a.type === 'numeric' && Math.abs(a.value - q.value) <= q.tolerance + 1e-9 * Math.max(1, Math.abs(q.value))
        ? 1
        : 0;
    case 'poll':
      return 1;
  }
}

/** The mark that counts: the instructor's by hand (short answers) when there is one, else the automatic one. */
export function markOf(q: QuestionDraft, a: QuizAnswer, markedCorrect: boolean | null): number {
  if (markedCorrect !== null && q.type === 'short') return markedCorrect ? 1 : 0;
  return autoFraction(q, a);
}

/** Only short answers are marked by hand: the others have a mark that cannot be argued with. */
export const canRemark = (q: QuestionDraft): boolean => q.type === 'short';

/** A quiz's score: points × mean mark over all its questions (unanswered = 0), to 2 decimals. */
export function quizScore(marks: ReadonlyArray<number | null>, points: number): number {
  if (marks.length === 0) return 0;
  const sum = marks.reduce<number>((s, m) => s + (m ?? 0), 0);
  return Math.round((points * sum * 100) / marks.length) / 100;
}

/** The chart bars an answer counts in: option indexes, `true`/`false`, or the normalised text or number. */
export function barKeys(a: QuizAnswer): string[] {
  switch (a.type) {
    case 'single':
      return [String(a.choice)];
    case 'multiple':
    case 'poll':
      return a.choices.map(String);
    case 'true_false':
      return [String(a.value)];
    case 'short':
      return [`t:${normaliseShort(a.text)}`];
    case 'numeric':
      return [`n:${a.value}`];
  }
}

/** Who gets a grade when a graded quiz closes, and which. */
export interface GradeDecision {
  userId: string;
  score: number;
}

/**
 * Students who answered get their score; present students who answered nothing get 0 only when the
 * instructor chose so; absent students (neither present nor answering) get nothing.
 */
export function gradesAtClose(
  answered: ReadonlyMap<string, ReadonlyArray<number | null>>,
  present: ReadonlySet<string>,
  points: number,
  zeroForUnanswered: boolean,
): GradeDecision[] {
  const out: GradeDecision[] = [];
  for (const [userId, marks] of answered) out.push({ userId, score: quizScore(marks, points) });
  if (zeroForUnanswered) for (const userId of present) if (!answered.has(userId)) out.push({ userId, score: 0 });
  return out.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}
