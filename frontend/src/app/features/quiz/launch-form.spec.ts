import { describe, expect, it } from 'vitest';
import { emptyLaunch, launchPayload, mayBeAnonymous, moveBankQuestion, toggleBankQuestion } from './launch-form';

const ID = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const typedQuestion = { type: 'true_false' as const, prompt: 'Is light a wave?', correct: true };

describe('the launch form', () => {
  it('asks bank questions in the order picked, and can reorder them', () => {
    let f = emptyLaunch();
    for (const id of [ID(3), ID(1), ID(2)]) f = toggleBankQuestion(f, id);
    f = toggleBankQuestion(f, ID(1));
    expect(f.bankIds).toEqual([ID(3), ID(2)]);
    f = moveBankQuestion(f, ID(2), -1);
    expect(f.bankIds).toEqual([ID(2), ID(3)]);
    expect(moveBankQuestion(f, ID(2), -1)).toBe(f);
    expect(moveBankQuestion(f, '__proto__', 1)).toBe(f);
  });

  it('builds the quiz:launch payload: bank ids, typed questions, time limit, graded with points', () => {
    const f = {
      ...toggleBankQuestion(emptyLaunch(), ID(1)),
      typed: [typedQuestion],
      title: ' Check-in ',
      timeLimit: '120',
      graded: true,
      points: '10',
      zeroForUnanswered: true,
      allowChange: true,
    };
    expect(launchPayload(f, 'ignored', ['single', 'true_false'])).toEqual({
      ok: true,
      payload: {
        title: 'Check-in',
        questionIds: [ID(1)],
        newQuestions: [typedQuestion],
        timeLimitSeconds: 120,
        graded: true,
        points: 10,
        zeroForUnanswered: true,
        allowChange: true,
        anonymous: false,
      },
    });
  });

  it("no time limit, the classroom's points, no zero rule when not graded; a title from the first question", () => {
    const f = { ...emptyLaunch(), typed: [typedQuestion], timeLimit: '', points: '', zeroForUnanswered: true };
    const r = launchPayload(f, '  Is   light a wave? ', ['true_false']);
    expect(r).toEqual({
      ok: true,
      payload: {
        title: 'Is light a wave?',
        questionIds: [],
        newQuestions: [typedQuestion],
        graded: false,
        zeroForUnanswered: false,
        allowChange: false,
        anonymous: false,
      },
    });
    const long = launchPayload(f, 'x'.repeat(100), ['true_false']);
    expect(long.ok && long.payload.title).toBe(`${'x'.repeat(59)}…`);
  });

  it('refuses what the server would refuse, in words', () => {
    expect(launchPayload(emptyLaunch(), null, [])).toEqual({ ok: false, error: 'Pick or type at least one question.' });
    const one = { ...emptyLaunch(), typed: [typedQuestion] };
    expect(launchPayload({ ...one, graded: true, points: '-3' }, null, ['true_false'])).toMatchObject({
      ok: false,
      error: expect.stringContaining('Points'),
    });
    expect(launchPayload({ ...one, anonymous: true }, null, ['true_false'])).toEqual({
      ok: false,
      error: 'Only a quiz made of polls can be anonymous.',
    });
    const many = {
      ...emptyLaunch(),
      bankIds: Array.from({ length: 31 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
    };
    expect(launchPayload(many, null, [])).toMatchObject({ ok: false, error: expect.stringContaining('at most 30') });
  });

  it('an anonymous poll is never graded', () => {
    const poll = { type: 'poll' as const, prompt: 'Tea or coffee?', options: ['Tea', 'Coffee'], multiple: false };
    const r = launchPayload({ ...emptyLaunch(), typed: [poll], anonymous: true, graded: true }, poll.prompt, ['poll']);
    expect(r).toMatchObject({ ok: true, payload: { anonymous: true, graded: false } });
    expect(mayBeAnonymous(['poll', 'poll'])).toBe(true);
    expect(mayBeAnonymous([])).toBe(false);
  });
});
