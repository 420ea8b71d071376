import type {
  MyAnswer,
  QuizRevealed,
  QuizResult,
  QuizServerPayloads,
  QuizServerEvents,
  QuizTally,
  QuizView,
} from '@contracts/quiz';

/**
 * The class's quizzes as this person sees them (newest first), changed by what the server says. Pure:
 * each function takes the list and gives a new one; QuizLive keeps it in a signal.
 */
export type QuizList = readonly QuizView[];

export const idOf = (v: QuizView) => v.quiz.id;

/** A launch (or a view sent again): replaces the quiz with that id, else goes first. */
export function withView(list: QuizList, view: QuizView): QuizList {
  const i = list.findIndex((v) => idOf(v) === idOf(view));
  if (i < 0) return [view, ...list];
  const copy = [...list];
  copy[i] = view;
  return copy;
}

function update(list: QuizList, quizId: string, change: (v: QuizView) => QuizView): QuizList {
  return list.some((v) => idOf(v) === quizId) ? list.map((v) => (idOf(v) === quizId ? change(v) : v)) : list;
}

/** A live tally: only instructors get one, and only their view holds it. */
export function withTally(list: QuizList, tally: QuizTally): QuizList {
  return update(list, tally.quizId, (v) =>
    v.role === 'teacher' ? { role: 'teacher', quiz: { ...v.quiz, tally } } : v,
  );
}

export function withClosed(list: QuizList, closed: QuizServerPayloads[typeof QuizServerEvents.closed]): QuizList {
  return update(list, closed.quizId, (v) =>
    v.quiz.closedAt ? v : ({ ...v, quiz: { ...v.quiz, closedAt: closed.closedAt } } as QuizView),
  );
}

/** Results revealed: the right answers and the class's chart (students keep them in their view). */
export function withRevealed(list: QuizList, r: QuizRevealed): QuizList {
  return update(list, r.quizId, (v) => {
    const closedAt = v.quiz.closedAt ?? r.revealedAt;
    return v.role === 'student'
      ? { role: 'student', quiz: { ...v.quiz, closedAt, revealedAt: r.revealedAt, revealed: r } }
      : { role: 'teacher', quiz: { ...v.quiz, closedAt, revealedAt: r.revealedAt } };
  });
}

export function withResult(list: QuizList, result: QuizResult): QuizList {
  return update(list, result.quizId, (v) =>
    v.role === 'student' ? { role: 'student', quiz: { ...v.quiz, result } } : v,
  );
}

/** The student's own answer, once the server acknowledged it (a change replaces the earlier one). */
export function withMine(list: QuizList, quizId: string, mine: MyAnswer): QuizList {
  return update(list, quizId, (v) =>
    v.role === 'student'
      ? {
          role: 'student',
          quiz: { ...v.quiz, mine: [...v.quiz.mine.filter((m) => m.questionId !== mine.questionId), mine] },
        }
      : v,
  );
}

/** The quiz to show now: the newest, unless it is over and the person put it away. */
export function shownQuiz(list: QuizList, dismissed: ReadonlySet<string>): QuizView | null {
  const newest = list[0];
  return newest && !dismissed.has(idOf(newest)) ? newest : null;
}
