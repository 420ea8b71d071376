import { describe, expect, it } from 'vitest';
import { chapterAt, chapterTarget, playerAction, stepSpeed } from './player-keys';

describe('player shortcuts', () => {
  it('maps keys to actions', () => {
    expect(playerAction(' ', 1)).toEqual({ kind: 'toggle' });
    expect(playerAction('k', 1)).toEqual({ kind: 'toggle' });
    expect(playerAction('j', 1)).toEqual({ kind: 'seek-by', seconds: -10 });
    expect(playerAction('l', 1)).toEqual({ kind: 'seek-by', seconds: 10 });
    expect(playerAction('ArrowLeft', 1)).toEqual({ kind: 'seek-by', seconds: -5 });
    expect(playerAction('ArrowRight', 1)).toEqual({ kind: 'seek-by', seconds: 5 });
    expect(playerAction('>', 1)).toEqual({ kind: 'speed', rate: 1.25 });
    expect(playerAction('<', 1)).toEqual({ kind: 'speed', rate: 0.75 });
    expect(playerAction('.', 1)).toBeNull();
    expect(playerAction('7', 1)).toEqual({ kind: 'seek-to-fraction', fraction: 0.7 });
    expect(playerAction('n', 1)).toEqual({ kind: 'chapter', step: 1 });
    expect(playerAction('x', 1)).toBeNull();
  });
  it('keeps speeds between 0.75x and 2x', () => {
    expect(stepSpeed(2, 1)).toBe(2);
    expect(stepSpeed(0.75, -1)).toBe(0.75);
    expect(stepSpeed(1.1, 1)).toBe(1.25);
    expect(stepSpeed(1.1, -1)).toBe(1);
  });
  it('finds chapters from a time', () => {
    const starts = [0, 60, 120];
    expect(chapterAt(starts, 59.9)).toBe(0);
    expect(chapterAt(starts, 60)).toBe(1);
    expect(chapterTarget(starts, 61, -1)).toBe(0);
    expect(chapterTarget(starts, 65, -1)).toBe(60);
    expect(chapterTarget(starts, 65, 1)).toBe(120);
    expect(chapterTarget(starts, 130, 1)).toBe(130);
  });
});
