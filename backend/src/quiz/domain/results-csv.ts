/** Quiz results as CSV (RFC 4180): one row per student and question. Pure. */
import type { QuizAnswer, QuizResults, TeacherQuestion } from '../../contracts/quiz';

/** The file's own words (headers, true/false) in each language the server writes (the person's LMS locale). */
export interface ResultsCsvWords {
  headers: readonly string[];
  yes: string;
  no: string;
}

export const RESULTS_CSV_WORDS: Record<'en' | 'es', ResultsCsvWords> = {
  en: {
    headers: [
      'quiz',
      'student',
      'present',
      'score',
      'points',
      'question',
      'prompt',
      'answer',
      'mark',
      'marked_by_hand',
      'answer_seconds',
    ],
    yes: 'True',
    no: 'False',
  },
  es: {
    headers: [
      'cuestionario',
      'estudiante',
      'presente',
      'puntuación',
      'puntos',
      'pregunta',
      'enunciado',
      'respuesta',
      'nota',
      'corregida_a_mano',
      'segundos_respuesta',
    ],
    yes: 'Verdadero',
    no: 'Falso',
  },
};

/** A cell: quoted when needed; a leading =, +, - or @ is prefixed so a spreadsheet does not run it as a formula. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** An answer as a person reads it (option labels, not indexes). */
export function answerText(
  q: TeacherQuestion | undefined,
  a: QuizAnswer,
  w: ResultsCsvWords = RESULTS_CSV_WORDS.en,
): string {
  const label = (i: number) => (q && 'options' in q ? (q.options[i] ?? String(i)) : String(i));
  switch (a.type) {
    case 'single':
      return label(a.choice);
    case 'multiple':
    case 'poll':
      return a.choices.map(label).join('; ');
    case 'true_false':
      return a.value ? w.yes : w.no;
    case 'short':
      return a.text;
    case 'numeric':
      return String(a.value);
  }
}

export function resultsCsv(r: QuizResults, w: ResultsCsvWords = RESULTS_CSV_WORDS.en): string {
  const questions = new Map(r.questions.map((x, i) => [x.question.id, { q: x.question, n: i + 1 }]));
  const rows: Array<Array<string | number | boolean | null>> = [[...w.headers]];
  for (const s of r.students) {
    if (s.answers.length === 0)
      rows.push([r.quiz.title, s.name, s.present, s.score, r.quiz.points, null, null, null, null, null, null]);
    for (const a of s.answers) {
      const q = questions.get(a.questionId);
      rows.push([
        r.quiz.title,
        s.name,
        s.present,
        s.score,
        r.quiz.points,
        q?.n ?? null,
        q?.q.prompt ?? null,
        answerText(q?.q, a.answer, w),
        a.fraction,
        a.markedCorrect !== null,
        Math.round(a.answerMs / 100) / 10,
      ]);
    }
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
