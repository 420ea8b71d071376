/** What each side sees of a quiz. Pure: students never get a right answer or a tally before reveal. */
import type {
  MyAnswer,
  QuestionTally,
  QuizResult,
  QuizRevealed,
  QuizStudentView,
  QuizTally,
  QuizTeacherView,
  StudentQuestion,
  TeacherQuestion,
} from '../../contracts/quiz';
import { markOf, quizScore } from './scoring';

/** The parts of a quiz the views need (a QuizRow has them). */
export interface QuizFacts {
  id: string;
  title: string;
  sessionId: string;
  launchedAt: Date;
  closesAt: Date | null;
  closedAt: Date | null;
  revealedAt: Date | null;
  graded: boolean;
  points: number;
  zeroForUnanswered: boolean;
  allowChange: boolean;
  anonymous: boolean;
  questions: TeacherQuestion[];
}

export function studentQuestion(q: TeacherQuestion): StudentQuestion {
  const base = { id: q.id, type: q.type, prompt: q.prompt };
  if (q.type === 'single' || q.type === 'multiple') return { ...base, options: [...q.options] };
  if (q.type === 'poll') return { ...base, options: [...q.options], multiple: q.multiple };
  return base;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function common(q: QuizFacts, now: Date) {
  return {
    id: q.id,
    title: q.title,
    sessionId: q.sessionId,
    launchedAt: q.launchedAt.toISOString(),
    closesAt: iso(q.closesAt),
    closedAt: iso(q.closedAt),
    revealedAt: iso(q.revealedAt),
    graded: q.graded,
    points: q.points,
    allowChange: q.allowChange,
    anonymous: q.anonymous,
    serverNow: now.toISOString(),
  };
}

export function teacherView(q: QuizFacts, tally: QuizTally, now: Date): QuizTeacherView {
  return {
    ...common(q, now),
    zeroForUnanswered: q.zeroForUnanswered,
    questions: q.questions.map((x) => ({ ...x })),
    tally,
  };
}

export function revealedOf(q: QuizFacts, tallies: readonly QuestionTally[]): QuizRevealed | null {
  if (!q.revealedAt) return null;
  const byId = new Map(tallies.map((t) => [t.questionId, t]));
  return {
    quizId: q.id,
    revealedAt: q.revealedAt.toISOString(),
    questions: q.questions.map((question) => ({
      question: { ...question },
      tally: byId.get(question.id) ?? { questionId: question.id, answered: 0, bars: [] },
    })),
  };
}

/** A student's own result: a mark per question (null: not answered) and the score. */
export function resultOf(
  q: QuizFacts,
  mine: ReadonlyMap<string, Pick<MyAnswer, 'answer'> & { markedCorrect: boolean | null }>,
): QuizResult {
  const questions = q.questions.map((question) => {
    const a = mine.get(question.id);
    return { questionId: question.id, fraction: a ? markOf(question, a.answer, a.markedCorrect) : null };
  });
  return {
    quizId: q.id,
    score: quizScore(
      questions.map((x) => x.fraction),
      q.points,
    ),
    points: q.points,
    questions,
  };
}

/** The student's view: questions without answers, their own answers, and once revealed the results. */
export function studentView(
  q: QuizFacts,
  mine: MyAnswer[],
  revealed: QuizRevealed | null,
  result: QuizResult | null,
  now: Date,
): QuizStudentView {
  return {
    ...common(q, now),
    questions: q.questions.map(studentQuestion),
    mine,
    revealed: q.revealedAt ? revealed : null,
    result: q.revealedAt ? result : null,
  };
}
