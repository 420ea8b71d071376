import { describe, expect, it } from 'vitest';
import { answerText, csvFileName, markText } from './results-view';

const multiple = { id: 'q', type: 'multiple' as const, prompt: 'p', options: ['He', 'Fe', 'Ne'], correct: [0, 2] };

describe('results in words', () => {
  it('words each kind of answer with its options', () => {
    expect(answerText({ type: 'multiple', choices: [0, 2] }, multiple)).toBe('A. He, C. Ne');
    expect(answerText({ type: 'single', choice: 1 }, { ...multiple, type: 'single', correct: 1 })).toBe('B. Fe');
    expect(answerText({ type: 'multiple', choices: [] }, multiple)).toBe('(none)');
    expect(answerText({ type: 'true_false', value: false }, undefined)).toBe('False');
    expect(answerText({ type: 'short', text: 'Curie' }, undefined)).toBe('Curie');
    expect(answerText({ type: 'numeric', value: 9.8 }, undefined)).toBe('9.8');
    expect(answerText({ type: 'single', choice: 7 }, multiple)).toBe('H. ?');
  });

  it('marks right, wrong, partly and polls', () => {
    expect([1, 0, 0.5, null].map(markText)).toEqual(['✓', '✗', '50%', '']);
  });

  it('names the CSV after the quiz and its day', () => {
    expect(csvFileName('Quick check: Élan & "quotes"', '2030-04-05T10:00:00.000Z')).toBe(
      'quick-check-elan-quotes-2030-04-05.csv',
    );
    expect(csvFileName('???', '2030-04-05T10:00:00.000Z')).toBe('quiz-2030-04-05.csv');
  });
});
