import { describe, expect, it } from 'vitest';
import {
  draftFromAnswer,
  emptyDraft,
  inputKindOf,
  optionsOf,
  parseNumber,
  refusalStatus,
  pick,
  statusMessage,
  toAnswer,
  typed,
  whyNotReady,
} from './answer-form';

const order = ['o1', 'o2', 'o3'];

describe('answer draft', () => {
  it('one choice: a tap replaces the pick', () => {
    let d = emptyDraft('choice-one');
    expect(whyNotReady(d)).toBe('Pick an answer');
    d = pick(d, 'o2', order);
    d = pick(d, 'o3', order);
    expect(d.picked).toEqual(['o3']);
    expect(whyNotReady(d)).toBeNull();
  });

  it("several choices: a tap toggles, picks kept in the options' order", () => {
    let d = emptyDraft('choice-many');
    for (const id of ['o3', 'o1', 'o2', 'o2']) d = pick(d, id, order);
    expect(d.picked).toEqual(['o1', 'o3']);
    d = pick(pick(d, 'o1', order), 'o3', order);
    expect(d.picked).toEqual([]);
    expect(whyNotReady(d)).toBe('Pick one or more answers');
  });

  it('an option that is not shown is ignored (ids are data)', () => {
    expect(pick(emptyDraft('choice-many'), '__proto__', order).picked).toEqual([]);
    expect(pick(emptyDraft('text'), 'o1', order).picked).toEqual([]);
  });

  it('a typed answer must have text, cut to the limit', () => {
    let d = emptyDraft('text');
    expect(whyNotReady(typed(d, '   ', 10))).toBe('Type your answer');
    d = typed(d, 'Marie Skłodowska-Curie', 10);
    expect(d.text).toBe('Marie Skło');
    expect(whyNotReady(d)).toBeNull();
  });

  it('a number must read as one', () => {
    const d = emptyDraft('number');
    expect(whyNotReady(d)).toBe('Type a number');
    expect(whyNotReady(typed(d, 'twelve', 40))).toBe('That is not a number (e.g. 3.5)');
    expect(whyNotReady(typed(d, '9,81', 40))).toBeNull();
  });
});

describe('parseNumber', () => {
  it('reads numbers as people type them, with a decimal point or comma', () => {
    expect(['3.5', '3,5', ' -0.25 ', '+7', '1e3', '0,125', '1 000'].map(parseNumber)).toEqual([
      3.5, 3.5, -0.25, 7, 1000, 0.125, 1000,
    ]);
  });

  it('refuses what is not a number, or ambiguous', () => {
    expect(['', '  ', 'abc', '1,000', '1,2,3', 'Infinity', 'NaN', '0x10', '1e999', '3.5.1'].map(parseNumber)).toEqual(
      Array(10).fill(null),
    );
  });
});

describe('status messages', () => {
  it('say clearly what happened to the answer', () => {
    expect(statusMessage({ state: 'received', at: 1, changeable: false })).toBe('Answer received.');
    expect(statusMessage({ state: 'received', at: 1, changeable: true })).toContain('change it');
    expect(statusMessage({ state: 'late' })).toContain('Too late');
    expect(statusMessage({ state: 'closed', answered: false })).toBe('The question is closed. You did not answer.');
    expect(statusMessage({ state: 'refused', message: 'You already answered' })).toBe('You already answered');
  });
});

describe('questions and the answers sent', () => {
  const choice = { type: 'multiple' as const, options: ['H', 'He', 'Li'] };

  it('each type is answered the way it asks', () => {
    expect(inputKindOf({ type: 'single' })).toBe('choice-one');
    expect(inputKindOf({ type: 'true_false' })).toBe('choice-one');
    expect(inputKindOf({ type: 'multiple' })).toBe('choice-many');
    expect(inputKindOf({ type: 'poll', multiple: true })).toBe('choice-many');
    expect(inputKindOf({ type: 'poll' })).toBe('choice-one');
    expect(inputKindOf({ type: 'short' })).toBe('text');
    expect(inputKindOf({ type: 'numeric' })).toBe('number');
    expect(optionsOf({ type: 'true_false' }).map((o) => o.key)).toEqual(['true', 'false']);
    expect(optionsOf(choice)).toEqual([
      { key: '0', label: 'H' },
      { key: '1', label: 'He' },
      { key: '2', label: 'Li' },
    ]);
  });

  it("builds the contract's answer from the draft, and nothing while it is not ready", () => {
    const keys = optionsOf(choice).map((o) => o.key);
    let d = emptyDraft('choice-many');
    expect(toAnswer(d, choice)).toBeNull();
    d = pick(pick(d, '2', keys), '0', keys);
    expect(toAnswer(d, choice)).toEqual({ type: 'multiple', choices: [0, 2] });
    expect(toAnswer(pick(emptyDraft('choice-one'), '1', keys), { type: 'single' })).toEqual({
      type: 'single',
      choice: 1,
    });
    expect(toAnswer(pick(emptyDraft('choice-one'), 'false', ['true', 'false']), { type: 'true_false' })).toEqual({
      type: 'true_false',
      value: false,
    });
    expect(toAnswer(pick(emptyDraft('choice-one'), '0', keys), { type: 'poll' })).toEqual({
      type: 'poll',
      choices: [0],
    });
    expect(toAnswer(typed(emptyDraft('text'), '  Curie ', 200), { type: 'short' })).toEqual({
      type: 'short',
      text: 'Curie',
    });
    expect(toAnswer(typed(emptyDraft('number'), '9,81', 40), { type: 'numeric' })).toEqual({
      type: 'numeric',
      value: 9.81,
    });
  });

  it('shows an answer already given again', () => {
    expect(draftFromAnswer({ type: 'multiple' }, { type: 'multiple', choices: [2, 0] }).picked).toEqual(['0', '2']);
    expect(draftFromAnswer({ type: 'true_false' }, { type: 'true_false', value: true }).picked).toEqual(['true']);
    expect(draftFromAnswer({ type: 'numeric' }, { type: 'numeric', value: 3.5 }).text).toBe('3.5');
    expect(draftFromAnswer({ type: 'short' }, { type: 'short', text: 'Curie' })).toEqual({
      kind: 'text',
      picked: [],
      text: 'Curie',
    });
  });
});

describe('a refused answer', () => {
  it('after the close is "too late", a lost connection is "try again", anything else the server\'s words', () => {
    expect(refusalStatus({ code: 'QUIZ_CLOSED', message: 'Closed' })).toEqual({ state: 'late' });
    expect(refusalStatus({ code: 'TIMEOUT', message: 'The server did not answer' })).toEqual({
      state: 'refused',
      message: 'Not sent (the server did not answer): try again.',
    });
    expect(refusalStatus({ code: 'ALREADY_ANSWERED', message: 'You already answered this question' })).toEqual({
      state: 'refused',
      message: 'You already answered this question',
    });
  });
});
