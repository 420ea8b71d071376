import type { QuizAnswer, TeacherQuestion } from '@contracts/quiz';
import { EN } from '../../core/i18n/en';
import { translatorOf } from '../../core/i18n/language';
import { optionLetter, type Translate } from './question-form';

const english: Translate = translatorOf(EN);

/** How the results page words an answer and its mark. Pure. */

const choice = (q: TeacherQuestion, i: number) => `${optionLetter(i)}. ${'options' in q ? (q.options[i] ?? '?') : '?'}`;

/** A student's answer in words, as its question shows its options. */
export function answerText(a: QuizAnswer, q: TeacherQuestion | undefined, t: Translate = english): string {
  switch (a.type) {
    case 'single':
      return q ? choice(q, a.choice) : optionLetter(a.choice);
    case 'multiple':
    case 'poll':
      return a.choices.map((c) => (q ? choice(q, c) : optionLetter(c))).join(', ') || t('quizTeach.none');
    case 'true_false':
      return t(a.value ? 'quizTeach.true' : 'quizTeach.false');
    case 'short':
      return a.text;
    case 'numeric':
      return String(a.value);
  }
}

/** The mark of one answer: right, wrong, partly (with its share), or none (polls). */
export function markText(fraction: number | null): string {
  if (fraction === null) return '';
  if (fraction >= 1) return '✓';
  if (fraction <= 0) return '✗';
  return `${Math.round(fraction * 100)}%`;
}

/** A file name for the results' CSV: the quiz title in safe characters and its launch day. */
export function csvFileName(title: string, launchedAt: string): string {
  const slug =
    title
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .toLowerCase()
      .slice(0, 60) || 'quiz';
  return `${slug}-${launchedAt.slice(0, 10)}.csv`;
}
