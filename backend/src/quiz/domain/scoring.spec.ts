import { describe, expect, it } from 'vitest';
import { answerSchema, questionDraftSchema, type QuestionDraft, type QuizAnswer } from '../../contracts/quiz';
import {
  answerProblem,
  autoFraction,
  barKeys,
  canRemark,
  gradesAtClose,
  markOf,
  normaliseShort,
  quizScore,
} from './scoring';
import { buildTally } from './tally';

const q = (d: unknown) => questionDraftSchema.parse(d) as QuestionDraft;
const a = (d: unknown) => answerSchema.parse(d) as QuizAnswer;

const single = q({ type: 'single', prompt: 'Capital of France?', options: ['Lyon', 'Paris', 'Nice'], correct: 1 });
const multiple = q({ type: 'multiple', prompt: 'Primes?', options: ['2', '3', '4', '5'], correct: [0, 1, 3] });
const tf = q({ type: 'true_false', prompt: 'The earth is flat', correct: false });
const short = q({ type: 'short', prompt: 'Largest planet?', accepted: ['Jupiter', 'planet  Jupiter'] });
const numeric = q({ type: 'numeric', prompt: 'pi to 2 places', value: 3.14, tolerance: 0.01 });
const poll = q({ type: 'poll', prompt: 'Pace?', options: ['slow', 'fine', 'fast'] });

describe('scoring', () => {
  it('single choice: the right option scores 1, any other 0', () => {
    expect(autoFraction(single, a({ type: 'single', choice: 1 }))).toBe(1);
    expect(autoFraction(single, a({ type: 'single', choice: 0 }))).toBe(0);
  });

  it('multiple choice: right minus wrong over the right options, never below 0', () => {
    expect(autoFraction(multiple, a({ type: 'multiple', choices: [0, 1, 3] }))).toBe(1);
    expect(autoFraction(multiple, a({ type: 'multiple', choices: [0, 1] }))).toBeCloseTo(2 / 3);
    expect(autoFraction(multiple, a({ type: 'multiple', choices: [0, 1, 2] }))).toBeCloseTo(1 / 3);
    // Ticking everything is not full marks.
    expect(autoFraction(multiple, a({ type: 'multiple', choices: [0, 1, 2, 3] }))).toBeCloseTo(2 / 3);
    expect(autoFraction(multiple, a({ type: 'multiple', choices: [2] }))).toBe(0);
    expect(autoFraction(multiple, a({ type: 'multiple', choices: [] }))).toBe(0);
  });

  it('true/false', () => {
    expect(autoFraction(tf, a({ type: 'true_false', value: false }))).toBe(1);
    expect(autoFraction(tf, a({ type: 'true_false', value: true }))).toBe(0);
  });

  it('short answers match case- and whitespace-insensitively, nothing looser', () => {
    expect(normaliseShort('  Planet \t JUPITER\n')).toBe('planet jupiter');
    expect(autoFraction(short, a({ type: 'short', text: ' jUpItEr ' }))).toBe(1);
    expect(autoFraction(short, a({ type: 'short', text: 'PLANET jupiter' }))).toBe(1);
    expect(autoFraction(short, a({ type: 'short', text: 'Ｊｕｐｉｔｅｒ' }))).toBe(1); // full-width forms fold (NFKC)
    expect(autoFraction(short, a({ type: 'short', text: 'Jupiterr' }))).toBe(0);
    expect(autoFraction(short, a({ type: 'short', text: '   ' }))).toBe(0);
  });

  it('re-marking: the instructor overrides a short answer either way, and only short answers', () => {
    const typo = a({ type: 'short', text: 'Jupitor' });
    expect(markOf(short, typo, null)).toBe(0);
    expect(markOf(short, typo, true)).toBe(1);
    expect(markOf(short, a({ type: 'short', text: 'Jupiter' }), false)).toBe(0);
    expect(canRemark(short)).toBe(true);
    expect(canRemark(single)).toBe(false);
    expect(markOf(single, a({ type: 'single', choice: 0 }), true)).toBe(0);
  });

  it('numeric answers within the tolerance, inclusive', () => {
    expect(autoFraction(numeric, a({ type: 'numeric', value: 3.15 }))).toBe(1);
    expect(autoFraction(numeric, a({ type: 'numeric', value: 3.13 }))).toBe(1);
    expect(autoFraction(numeric, a({ type: 'numeric', value: 3.16 }))).toBe(0);
    const exact = q({ type: 'numeric', prompt: '0.1+0.2', value: 0.3, tolerance: 0 });
    expect(autoFraction(exact, a({ type: 'numeric', value: 0.1 + 0.2 }))).toBe(1);
  });

  it('a poll has no right answer: taking part scores 1; a single-choice poll takes one option', () => {
    expect(autoFraction(poll, a({ type: 'poll', choices: [2] }))).toBe(1);
    expect(answerProblem(poll, a({ type: 'poll', choices: [0, 1] }))).toBe('OPTION_OUT_OF_RANGE');
  });

  it('answers that do not fit their question are refused with a code', () => {
    expect(answerProblem(single, a({ type: 'true_false', value: true }))).toBe('ANSWER_TYPE_MISMATCH');
    expect(answerProblem(single, a({ type: 'single', choice: 3 }))).toBe('OPTION_OUT_OF_RANGE');
    expect(answerProblem(multiple, a({ type: 'multiple', choices: [1, 1] }))).toBe('OPTION_OUT_OF_RANGE');
    expect(autoFraction(multiple, a({ type: 'multiple', choices: [0, 0, 0] }))).toBe(0);
    expect(answerProblem(single, a({ type: 'single', choice: 2 }))).toBeNull();
  });

  it('the quiz score is points × the mean mark, unanswered questions 0', () => {
    expect(quizScore([1, 0.5, null, 1], 10)).toBe(6.25);
    expect(quizScore([1 / 3, 1 / 3, 1 / 3], 7)).toBe(2.33);
  });

  it('grades at close: answered get scores, present-unanswered 0 only if chosen, absent nothing', () => {
    const answered = new Map([
      ['u1', [1, 1]],
      ['u2', [0, null]],
    ]);
    const present = new Set(['u1', 'u3']);
    expect(gradesAtClose(answered, present, 4, false)).toEqual([
      { userId: 'u1', score: 4 },
      { userId: 'u2', score: 0 },
    ]);
    expect(gradesAtClose(answered, present, 4, true)).toEqual([
      { userId: 'u1', score: 4 },
      { userId: 'u2', score: 0 },
      { userId: 'u3', score: 0 },
    ]);
  });
});

describe('tally', () => {
  it('choice bars in option order, zeros included, right ones marked only when asked', () => {
    const t = buildTally(
      { ...single, id: 'q1' },
      new Map([
        ['1', 5],
        ['2', 1],
      ]),
      6,
      true,
    );
    expect(t.bars).toEqual([
      { key: '0', label: 'Lyon', count: 0, correct: false },
      { key: '1', label: 'Paris', count: 5, correct: true },
      { key: '2', label: 'Nice', count: 1, correct: false },
    ]);
    expect(buildTally({ ...single, id: 'q1' }, new Map(), 0, false).bars.every((b) => !('correct' in b))).toBe(true);
  });

  it('short answers grouped by their normalised text, largest first', () => {
    const keys = ['Jupiter', ' jupiter', 'Mars'].map((text) => barKeys(a({ type: 'short', text }))[0]);
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    expect(buildTally({ ...short, id: 'q2' }, counts, 3, true).bars).toEqual([
      { key: 't:jupiter', label: 'jupiter', count: 2, correct: true },
      { key: 't:mars', label: 'mars', count: 1, correct: false },
    ]);
  });

  it('ids that mean something to objects are just bars', () => {
    const t = buildTally({ ...short, id: 'q3' }, new Map([['t:__proto__', 2]]), 2, false);
    expect(t.bars).toEqual([{ key: 't:__proto__', label: '__proto__', count: 2 }]);
  });
});
