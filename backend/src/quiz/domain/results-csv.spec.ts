import { describe, expect, it } from 'vitest';
import type { QuizAnswer, TeacherQuestion } from '../../contracts/quiz';
import { answerText, RESULTS_CSV_WORDS } from './results-csv';

describe('quiz results CSV words', () => {
  it('writes true/false answers in the reader language, and has a header per column in each', () => {
    const q = { type: 'true_false', prompt: 'Is it?', correct: true } as unknown as TeacherQuestion;
    const yes = { type: 'true_false', value: true } as QuizAnswer;
    const no = { type: 'true_false', value: false } as QuizAnswer;
    expect([answerText(q, yes), answerText(q, no)]).toEqual(['True', 'False']);
    expect([answerText(q, yes, RESULTS_CSV_WORDS.es), answerText(q, no, RESULTS_CSV_WORDS.es)]).toEqual([
      'Verdadero',
      'Falso',
    ]);
    expect(RESULTS_CSV_WORDS.es.headers).toHaveLength(RESULTS_CSV_WORDS.en.headers.length);
  });
});
