import { describe, expect, it } from 'vitest';
import { emptyDraft, parseNumber, pick, statusMessage, typed, whyNotReady } from './answer-form';

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

  it('several choices: a tap toggles, picks kept in the options\' order', () => {
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
    expect(['3.5', '3,5', ' -0.25 ', '+7', '1e3', '0,125', '1 000'].map(parseNumber)).toEqual([3.5, 3.5, -0.25, 7, 1000, 0.125, 1000]);
  });

  it('refuses what is not a number, or ambiguous', () => {
    expect(['', '  ', 'abc', '1,000', '1,2,3', 'Infinity', 'NaN', '0x10', '1e999', '3.5.1'].map(parseNumber)).toEqual(Array(10).fill(null));
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
