import { describe, expect, it } from 'vitest';
import {
  addOption,
  changeType,
  emptyForm,
  fromDraft,
  QuestionForm,
  removeOption,
  rightAnswerText,
  setOption,
  toDraft,
  toggleCorrect,
} from './question-form';

const withOptions = (f: QuestionForm, ...texts: string[]) =>
  texts.reduce((acc, t, i) => setOption(i < acc.options.length ? acc : addOption(acc), i, t), f);

describe('the question editor', () => {
  it('builds a multiple-choice draft with several right options', () => {
    let f = withOptions(
      { ...emptyForm('multiple'), prompt: ' Which are noble gases? ' },
      'Helium',
      'Iron',
      'Neon',
      'Tin',
    );
    f = toggleCorrect(toggleCorrect(toggleCorrect(f, 2), 0), 3);
    f = toggleCorrect(f, 3);
    expect(toDraft(f)).toEqual({
      ok: true,
      draft: {
        type: 'multiple',
        prompt: 'Which are noble gases?',
        options: ['Helium', 'Iron', 'Neon', 'Tin'],
        correct: [0, 2],
      },
    });
  });

  it('single choice keeps one right option, also when switched from multiple', () => {
    let f = withOptions({ ...emptyForm('multiple'), prompt: 'Capital of France?' }, 'Paris', 'Lyon', 'Nice');
    f = changeType(toggleCorrect(toggleCorrect(f, 0), 2), 'single');
    expect(f.correct).toEqual([0]);
    f = toggleCorrect(f, 1);
    expect(toDraft(f)).toEqual({
      ok: true,
      draft: { type: 'single', prompt: 'Capital of France?', options: ['Paris', 'Lyon', 'Nice'], correct: 1 },
    });
  });

  it('removing an option moves the right answers after it up', () => {
    let f = withOptions(emptyForm('multiple'), 'a', 'b', 'c', 'd');
    f = toggleCorrect(toggleCorrect(f, 1), 3);
    f = removeOption(f, 1);
    expect(f.options).toEqual(['a', 'c', 'd']);
    expect(f.correct).toEqual([2]);
    expect(removeOption(removeOption(f, 0), 0).options).toHaveLength(2);
  });

  it('at most as many options as the contract allows', () => {
    let f = emptyForm('poll');
    for (let i = 0; i < 20; i++) f = addOption(f);
    expect(f.options).toHaveLength(10);
  });

  it('says what to fix, in words', () => {
    expect(toDraft(emptyForm('single'))).toEqual({ ok: false, error: 'Write the question.' });
    const f = { ...emptyForm('single'), prompt: 'Q?' };
    expect(toDraft(f)).toEqual({ ok: false, error: 'Option 1 is empty: fill it in or remove it.' });
    expect(toDraft(withOptions(f, 'Yes', 'yes'))).toEqual({ ok: false, error: 'Two options say the same thing.' });
    expect(toDraft(withOptions(f, 'Yes', 'No'))).toEqual({ ok: false, error: 'Mark the right option.' });
    expect(toDraft(withOptions({ ...f, type: 'multiple' }, 'Yes', 'No'))).toEqual({
      ok: false,
      error: 'Mark at least one right option.',
    });
    expect(toDraft({ ...f, type: 'short', accepted: ' \n ' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('accepted answer'),
    });
    expect(toDraft({ ...f, type: 'numeric', value: 'ten' })).toEqual({
      ok: false,
      error: 'The right answer must be a number.',
    });
    expect(toDraft({ ...f, type: 'numeric', value: '10', tolerance: '-1' })).toEqual({
      ok: false,
      error: 'The tolerance must be a number, 0 or more.',
    });
    // A limit only the contract knows: its own message.
    expect(toDraft({ ...f, prompt: 'x'.repeat(1001), type: 'true_false' })).toMatchObject({ ok: false });
  });

  it('short answers: one accepted answer per line, blanks and repeats dropped', () => {
    const f = {
      ...emptyForm('short'),
      prompt: 'Who discovered radium?',
      accepted: 'Marie Curie\n\n  Curie \nMarie Curie',
    };
    expect(toDraft(f)).toEqual({
      ok: true,
      draft: { type: 'short', prompt: 'Who discovered radium?', accepted: ['Marie Curie', 'Curie'] },
    });
  });

  it('numbers with a tolerance (a decimal comma too), true/false, polls', () => {
    const base = { ...emptyForm(), prompt: 'g?' };
    expect(toDraft({ ...base, type: 'numeric', value: '9,81', tolerance: '0.05' })).toEqual({
      ok: true,
      draft: { type: 'numeric', prompt: 'g?', value: 9.81, tolerance: 0.05 },
    });
    expect(toDraft({ ...base, type: 'numeric', value: '3', tolerance: '' })).toMatchObject({
      ok: true,
      draft: { tolerance: 0 },
    });
    expect(toDraft({ ...base, type: 'true_false', truth: false })).toEqual({
      ok: true,
      draft: { type: 'true_false', prompt: 'g?', correct: false },
    });
    expect(toDraft(withOptions({ ...base, type: 'poll', pollMultiple: true }, 'Tea', 'Coffee'))).toEqual({
      ok: true,
      draft: { type: 'poll', prompt: 'g?', options: ['Tea', 'Coffee'], multiple: true },
    });
  });

  it('editing a saved question starts from it and gives it back unchanged', () => {
    const drafts: Array<Parameters<typeof fromDraft>[0]> = [
      { type: 'single', prompt: 'p', options: ['a', 'b'], correct: 1 },
      { type: 'multiple', prompt: 'p', options: ['a', 'b', 'c'], correct: [0, 2] },
      { type: 'true_false', prompt: 'p', correct: false },
      { type: 'short', prompt: 'p', accepted: ['x', 'y'] },
      { type: 'numeric', prompt: 'p', value: -2.5, tolerance: 0.5 },
      { type: 'poll', prompt: 'p', options: ['a', 'b'], multiple: false },
    ];
    for (const d of drafts) expect(toDraft(fromDraft(d))).toEqual({ ok: true, draft: d });
  });

  it('states the right answer in words', () => {
    expect(rightAnswerText({ type: 'multiple', prompt: 'p', options: ['He', 'Fe', 'Ne'], correct: [0, 2] })).toBe(
      'A. He and C. Ne',
    );
    expect(rightAnswerText({ type: 'numeric', prompt: 'p', value: 9.81, tolerance: 0.05 })).toBe('9.81 ± 0.05');
    expect(rightAnswerText({ type: 'short', prompt: 'p', accepted: ['Curie', 'Marie Curie'] })).toBe(
      'Curie or Marie Curie',
    );
    expect(rightAnswerText({ type: 'poll', prompt: 'p', options: ['a', 'b'], multiple: false })).toBe('');
  });
});
