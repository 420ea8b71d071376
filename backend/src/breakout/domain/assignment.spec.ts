import { describe, expect, it } from 'vitest';
import {
  AssignmentError,
  assignByHand,
  assignFromPlan,
  assignRandomly,
  moveStudent,
  placeLateJoiner,
  seededRandom,
} from './assignment';
import { timerJobs } from './timer';

const people = (n: number) => Array.from({ length: n }, (_, i) => `s${i + 1}`);
const sizes = (rooms: string[][]) => rooms.map((r) => r.length);
const all = (rooms: string[][]) => rooms.flat().sort();

describe('assignRandomly', () => {
  it('balances: sizes differ by at most one, everyone placed once', () => {
    for (const [n, k] of [
      [3, 2],
      [10, 3],
      [300, 30],
      [7, 7],
      [2, 5],
      [0, 4],
    ]) {
      const rooms = assignRandomly(people(n), k, { random: seededRandom(n * 31 + k) });
      expect(rooms).toHaveLength(k);
      expect(Math.max(...sizes(rooms)) - Math.min(...sizes(rooms))).toBeLessThanOrEqual(1);
      expect(all(rooms)).toEqual(people(n).sort());
    }
  });

  it('is random: two seeds give two different splits', () => {
    const a = assignRandomly(people(20), 4, { random: seededRandom(1) });
    const b = assignRandomly(people(20), 4, { random: seededRandom(2) });
    expect(a).not.toEqual(b);
  });

  it('keeps named students apart, and stays balanced', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rooms = assignRandomly(people(10), 3, {
        keepApart: [
          ['s1', 's2', 's3'],
          ['s4', 's5'],
          ['s1', 's4'],
        ],
        random: seededRandom(seed),
      });
      const roomOf = (id: string) => rooms.findIndex((r) => r.includes(id));
      expect(new Set([roomOf('s1'), roomOf('s2'), roomOf('s3')]).size).toBe(3);
      expect(roomOf('s4')).not.toBe(roomOf('s5'));
      expect(roomOf('s1')).not.toBe(roomOf('s4'));
      expect(Math.max(...sizes(rooms)) - Math.min(...sizes(rooms))).toBeLessThanOrEqual(1);
    }
  });

  it('spreads a group larger than the rooms as evenly as it can; ignores absent ids in groups', () => {
    const rooms = assignRandomly(people(6), 2, {
      keepApart: [['s1', 's2', 's3', 's4', 'nobody']],
      random: seededRandom(9),
    });
    expect(rooms.map((r) => r.filter((id) => ['s1', 's2', 's3', 's4'].includes(id)).length)).toEqual([2, 2]);
    expect(all(rooms)).toEqual(people(6).sort());
  });

  it('refuses no rooms and too many rooms', () => {
    expect(() => assignRandomly(people(3), 0)).toThrow(AssignmentError);
    expect(() => assignRandomly(people(3), 51)).toThrow(/At most 50/);
  });
});

describe('assignByHand', () => {
  it('puts listed students where they were dropped, leaves the rest in the main room', () => {
    expect(
      assignByHand(2, [
        { userId: 'a', room: 1 },
        { userId: 'b', room: 0 },
      ]),
    ).toEqual([['b'], ['a']]);
  });
  it('refuses an unknown room and a student placed twice', () => {
    expect(() => assignByHand(2, [{ userId: 'a', room: 2 }])).toThrow(/no room 3/);
    expect(() =>
      assignByHand(2, [
        { userId: 'a', room: 0 },
        { userId: 'a', room: 1 },
      ]),
    ).toThrow(/only one room/);
  });
});

describe('assignFromPlan', () => {
  const plan = [
    { name: 'Red', userIds: ['a', 'b', 'c'] },
    { name: 'Blue', userIds: ['d', 'e'] },
  ];
  it('skips absent students without moving anyone to fill their places', () => {
    expect(assignFromPlan(plan, ['a', 'c', 'd', 'e'])).toEqual([
      ['a', 'c'],
      ['d', 'e'],
    ]);
  });
  it('puts present students the plan does not name into the smallest room, one by one', () => {
    expect(assignFromPlan(plan, ['a', 'b', 'c', 'd', 'x', 'y'])).toEqual([
      ['a', 'b', 'c'],
      ['d', 'x', 'y'],
    ]);
  });
  it('counts a student named twice in the first room only', () => {
    expect(
      assignFromPlan(
        [
          { name: 'R', userIds: ['a'] },
          { name: 'S', userIds: ['a', 'b'] },
        ],
        ['a', 'b'],
      ),
    ).toEqual([['a'], ['b']]);
  });
});

describe('late joiners', () => {
  const rooms = [['a', 'b'], ['c']];
  it("go to their plan's room when the plan names them", () => {
    expect(
      placeLateJoiner(rooms, 'z', [
        { name: 'R', userIds: ['a', 'b', 'z'] },
        { name: 'S', userIds: ['c'] },
      ]),
    ).toBe(0);
  });
  it('go to the smallest room otherwise', () => {
    expect(placeLateJoiner(rooms, 'z')).toBe(1);
    expect(placeLateJoiner(rooms, 'z', [{ name: 'R', userIds: ['a'] }])).toBe(1);
  });
  it('keep their room when already placed (a reconnect)', () => {
    expect(placeLateJoiner(rooms, 'c')).toBe(1);
    expect(placeLateJoiner(rooms, 'a')).toBe(0);
  });
});

describe('moveStudent', () => {
  it('moves between rooms and back to the main room', () => {
    expect(moveStudent([['a', 'b'], ['c']], 'a', 1)).toEqual([['b'], ['c', 'a']]);
    expect(moveStudent([['a', 'b'], ['c']], 'a', null)).toEqual([['b'], ['c']]);
    expect(() => moveStudent([['a']], 'a', 3)).toThrow(AssignmentError);
  });
});

describe('timerJobs', () => {
  it('warns a minute before the end, or at once when less than a minute is left', () => {
    expect(timerJobs(1000, 300)).toEqual({ endsAt: 301_000, warnDelayMs: 240_000, closeDelayMs: 300_000 });
    expect(timerJobs(0, 30)).toEqual({ endsAt: 30_000, warnDelayMs: 0, closeDelayMs: 30_000 });
  });
});
