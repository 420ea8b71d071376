import { describe, expect, it } from 'vitest';
import type { BreakoutState } from '@contracts/breakout';
import { NO_BREAKOUTS, placementOf, targetRoom, timeLeft, unplaced } from './breakout-view';

const state: BreakoutState = {
  active: true,
  runId: 'r',
  endsAt: null,
  help: [],
  rooms: [
    { id: 'A', name: 'Room 1', students: [{ userId: 'g', name: 'Grace' }], visitors: [] },
    { id: 'B', name: 'Room 2', students: [{ userId: 'a', name: 'Alan' }], visitors: [{ userId: 't', name: 'Ada' }] },
  ],
};

describe('breakout view', () => {
  it('finds a student’s room', () => {
    expect(placementOf(state, 'a')).toEqual({ id: 'B', name: 'Room 2' });
    expect(placementOf(state, 'x')).toBeNull();
  });
  it('sends students where they are placed, and back when recalled; instructors stay unless the room closed', () => {
    expect(targetRoom(state, { userId: 'g', canTeach: false }, null)).toBe('A');
    expect(targetRoom(NO_BREAKOUTS, { userId: 'g', canTeach: false }, 'A')).toBeNull();
    expect(targetRoom(state, { userId: 't', canTeach: true }, 'B')).toBe('B');
    expect(targetRoom(state, { userId: 't', canTeach: true }, null)).toBeNull();
    expect(targetRoom(NO_BREAKOUTS, { userId: 't', canTeach: true }, 'B')).toBeNull();
  });
  it('lists students in no room (not instructors or observers)', () => {
    expect(
      unplaced(state, [
        { userId: 'g', name: 'Grace', role: 'learner' },
        { userId: 'l', name: 'Late', role: 'learner' },
        { userId: 'q', name: 'Guest', role: 'guest' },
        { userId: 't', name: 'Ada', role: 'instructor' },
        { userId: 'o', name: 'Parent', role: 'observer' },
      ]),
    ).toEqual([
      { userId: 'l', name: 'Late' },
      { userId: 'q', name: 'Guest' },
    ]);
  });
  it('counts down in m:ss and stops at 0:00', () => {
    const end = new Date(100_000).toISOString();
    expect(timeLeft(end, 100_000 - 125_000)).toBe('2:05');
    expect(timeLeft(end, 99_500)).toBe('0:01');
    expect(timeLeft(end, 200_000)).toBe('0:00');
    expect(timeLeft(null, 0)).toBeNull();
  });
});
