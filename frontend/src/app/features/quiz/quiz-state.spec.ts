import type { QuizStudentView, QuizTeacherView, QuizView } from '@contracts/quiz';
import { describe, expect, it } from 'vitest';
import { shownQuiz, withClosed, withMine, withResult, withRevealed, withTally, withView } from './quiz-state';

const common = {
  sessionId: 's',
  launchedAt: '2030-01-01T10:00:00.000Z',
  closesAt: null,
  closedAt: null,
  revealedAt: null,
  graded: true,
  points: 10,
  allowChange: false,
  anonymous: false,
  serverNow: '2030-01-01T10:00:00.000Z',
};
const question = { id: 'q1', type: 'single' as const, prompt: 'p', options: ['a', 'b'], correct: 0 };
const student = (id: string): QuizView => ({
  role: 'student',
  quiz: {
    ...common,
    id,
    title: id,
    questions: [{ id: 'q1', type: 'single', prompt: 'p', options: ['a', 'b'] }],
    mine: [],
    revealed: null,
    result: null,
  },
});
const teacher = (id: string): QuizView => ({
  role: 'teacher',
  quiz: {
    ...common,
    id,
    title: id,
    zeroForUnanswered: false,
    questions: [question],
    tally: { quizId: id, present: 2, answered: 0, questions: [] },
  },
});
const tally = (quizId: string, answered: number) => ({
  quizId,
  present: 3,
  answered,
  questions: [{ questionId: 'q1', answered, bars: [{ key: '0', label: 'a', count: answered }] }],
});

describe("the class's quizzes as this person sees them", () => {
  it('a launch goes first; the same quiz sent again replaces itself', () => {
    let l = withView([], student('A'));
    l = withView(l, student('B'));
    expect(l.map((v) => v.quiz.id)).toEqual(['B', 'A']);
    l = withView(l, { ...student('A'), quiz: { ...student('A').quiz, title: 'again' } } as QuizView);
    expect(l.map((v) => v.quiz.title)).toEqual(['B', 'again']);
  });

  it("a tally reaches only a teacher's view of that quiz", () => {
    const l = withTally([teacher('T'), teacher('U')], tally('T', 2));
    expect((l[0].quiz as QuizTeacherView).tally.answered).toBe(2);
    expect((l[1].quiz as QuizTeacherView).tally.answered).toBe(0);
    const s = [student('T')];
    expect(withTally(s, tally('T', 2))).toEqual(s);
    expect(withTally(s, tally('unknown', 1))).toBe(s);
  });

  it('closed once: a second close does not move the time', () => {
    let l = withClosed([student('A')], { quizId: 'A', closedAt: '2030-01-01T10:01:00.000Z', reason: 'time' });
    l = withClosed(l, { quizId: 'A', closedAt: '2030-01-01T10:05:00.000Z', reason: 'teacher' });
    expect(l[0].quiz.closedAt).toBe('2030-01-01T10:01:00.000Z');
  });

  it('reveal gives students the right answers and closes the quiz; results and my answers land in the student view', () => {
    const revealed = {
      quizId: 'A',
      revealedAt: '2030-01-01T10:02:00.000Z',
      questions: [{ question, tally: tally('A', 1).questions[0] }],
    };
    let l = withRevealed([student('A'), teacher('X')], revealed);
    const s = l[0].quiz as QuizStudentView;
    expect(s.revealed).toEqual(revealed);
    expect(s.closedAt).toBe(revealed.revealedAt);
    l = withResult(l, { quizId: 'A', score: 10, points: 10, questions: [{ questionId: 'q1', fraction: 1 }] });
    expect((l[0].quiz as QuizStudentView).result?.score).toBe(10);
    l = withMine(l, 'A', { questionId: 'q1', answer: { type: 'single', choice: 0 }, answeredAt: 'x' });
    l = withMine(l, 'A', { questionId: 'q1', answer: { type: 'single', choice: 1 }, answeredAt: 'y' });
    expect((l[0].quiz as QuizStudentView).mine).toEqual([
      { questionId: 'q1', answer: { type: 'single', choice: 1 }, answeredAt: 'y' },
    ]);
  });

  it('shows the newest quiz unless it was put away', () => {
    const l = [student('B'), student('A')];
    expect(shownQuiz(l, new Set())?.quiz.id).toBe('B');
    expect(shownQuiz(l, new Set(['B']))).toBeNull();
    expect(shownQuiz([], new Set())).toBeNull();
  });
});
