import { describe, expect, it } from 'vitest';
import { ES } from '../../core/i18n/es';
import { translatorOf } from '../../core/i18n/language';
import { spokenCountdown } from './countdown';
import { emptyLaunch, launchPayload } from './launch-form';
import { chartView } from './quiz-chart';
import { emptyForm, rightAnswerText, toDraft } from './question-form';
import { answerText } from './results-view';

/** The quiz's pure wording follows the translator it is given (the instructor's screens in Spanish). */
describe('quiz wording in Spanish', () => {
  const es = translatorOf(ES);

  it('words the editor and launcher errors', () => {
    expect(toDraft(emptyForm('single'), es)).toEqual({ ok: false, error: 'Escriba la pregunta.' });
    expect(toDraft({ ...emptyForm('single'), prompt: 'p' }, es)).toEqual({
      ok: false,
      error: 'La opción 1 está vacía: complétela o quítela.',
    });
    expect(launchPayload(emptyLaunch(), null, [], es)).toEqual({
      ok: false,
      error: 'Elija o escriba al menos una pregunta.',
    });
  });

  it('words answers, charts and the countdown', () => {
    expect(rightAnswerText({ type: 'true_false', prompt: 'p', correct: false }, es)).toBe('Falso');
    expect(rightAnswerText({ type: 'short', prompt: 'p', accepted: ['Curie', 'Marie Curie'] }, es)).toBe(
      'Curie o Marie Curie',
    );
    expect(answerText({ type: 'true_false', value: true }, undefined, es)).toBe('Verdadero');
    const v = chartView([{ key: '0', label: 'A. Sí', count: 2, correct: true }], 2, 5, true, es);
    expect(v.summary).toBe('2 respondieron de 5 presentes');
    expect(v.description).toEqual(['A. Sí: 2 respuestas, 100 %, una respuesta correcta']);
    expect(spokenCountdown(61_000, es)).toBe('Quedan 1 minuto 1 segundo');
    expect(spokenCountdown(0, es)).toBe('Se acabó el tiempo');
  });
});
