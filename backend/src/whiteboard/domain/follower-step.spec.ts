import { describe, expect, it } from 'vitest';
import { followerStep } from './follower-step';

/** The follower's decision on each op from the stream, named after the rules in PROTOCOL.md. */
describe('followerStep', () => {
  it('R10: applies the op at the next position, from the start and later', () => {
    expect(followerStep(0, 1, false)).toBe('apply');
    expect(followerStep(41, 42, false)).toBe('apply');
    expect(followerStep(41, 42, true)).toBe('apply');
  });

  it('R11: skips an op the copy already has (a message twice, or a replay of what the load read)', () => {
    expect(followerStep(42, 42, false)).toBe('stale');
    expect(followerStep(42, 42, true)).toBe('stale');
    expect(followerStep(42, 7, true)).toBe('stale');
  });

  it('R12: starts over when positions go back outside a replay (the log lost the board and it began again)', () => {
    expect(followerStep(42, 41, false)).toBe('rewind');
    expect(followerStep(42, 1, false)).toBe('rewind');
  });

  it('R13: reloads from the log when positions skip (messages were lost)', () => {
    expect(followerStep(41, 43, false)).toBe('gap');
    expect(followerStep(0, 2, false)).toBe('gap');
    expect(followerStep(41, 100, true)).toBe('gap');
  });
});
