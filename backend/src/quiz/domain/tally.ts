/** The live chart of a question from its bar counts. Pure. */
import {
  QUIZ_LIMITS,
  type QuestionTally,
  type QuizAnswer,
  type TallyBar,
  type TeacherQuestion,
} from '../../contracts/quiz';
import { barKeys, normaliseShort } from './scoring';

/** Per question, its bar counts and how many answered it, from stored answers (as the live chart keeps them). */
export function countAnswers(
  questionIds: readonly string[],
  answers: ReadonlyArray<{ questionId: string; answer: QuizAnswer }>,
): Map<string, { bars: Map<string, number>; answered: number }> {
  const questions = new Map(questionIds.map((id) => [id, { bars: new Map<string, number>(), answered: 0 }]));
  for (const a of answers) {
    const c = questions.get(a.questionId);
    if (!c) continue;
    c.answered++;
    for (const k of barKeys(a.answer)) c.bars.set(k, (c.bars.get(k) ?? 0) + 1);
  }
  return questions;
}

/**
 * Bars of one question: every option in order (zeros included) for choice and true/false questions;
 * for short and numeric answers the groups, largest first, the rest summed into `other`.
 * `withCorrect` marks the right bars (instructors, or everyone after reveal).
 */
export function buildTally(
  q: TeacherQuestion,
  counts: ReadonlyMap<string, number>,
  answered: number,
  withCorrect: boolean,
): QuestionTally {
  const count = (key: string) => counts.get(key) ?? 0;
  let bars: TallyBar[];
  switch (q.type) {
    case 'single':
    case 'multiple':
    case 'poll': {
      const right = q.type === 'single' ? new Set([q.correct]) : q.type === 'multiple' ? new Set(q.correct) : null;
      bars = q.options.map((label, i) => ({
        key: String(i),
        label,
        count: count(String(i)),
        ...(withCorrect && right ? { correct: right.has(i) } : {}),
      }));
      break;
    }
    case 'true_false':
      bars = [true, false].map((v) => ({
        key: String(v),
        label: v ? 'True' : 'False',
        term: v ? ('true' as const) : ('false' as const),
        count: count(String(v)),
        ...(withCorrect ? { correct: q.correct === v } : {}),
      }));
      break;
    case 'short':
    case 'numeric': {
      const accepted = q.type === 'short' ? new Set(q.accepted.map(normaliseShort)) : null;
      const groups = [...counts].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const shown = groups.slice(0, QUIZ_LIMITS.bars);
      const rest = groups.slice(QUIZ_LIMITS.bars).reduce((s, [, n]) => s + n, 0);
      bars = shown.map(([key, n]) => {
        const label = key.slice(2);
        const correct = accepted
          ? accepted.has(label)
          : q.type === 'numeric'
            ? Math.abs(Number(label) - q.value) <= q.tolerance
            : false;
        return { key, label, count: n, ...(withCorrect ? { correct } : {}) };
      });
      if (rest > 0) bars.push({ key: 'other', label: 'Other answers', count: rest });
      break;
    }
  }
  return { questionId: q.id, answered, bars };
}
