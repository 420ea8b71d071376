import type { BreakoutPerson, BreakoutState } from '@contracts/breakout';

/** Nothing open: the state before a split and after a recall. */
export const NO_BREAKOUTS: BreakoutState = { active: false, runId: null, rooms: [], endsAt: null, help: [] };

/** The room a student is placed in (its id and name), or null. */
export function placementOf(state: BreakoutState, userId: string): { id: string; name: string } | null {
  const room = state.rooms.find((r) => r.students.some((p) => p.userId === userId));
  return room ? { id: room.id, name: room.name } : null;
}

/**
 * Where this socket should be: a student goes to their room (or the main room, null); an instructor
 * stays where they chose, unless the rooms closed or the room they visit is gone.
 */
export function targetRoom(
  state: BreakoutState,
  me: { userId: string; canTeach: boolean },
  here: string | null,
): string | null {
  if (!me.canTeach) return placementOf(state, me.userId)?.id ?? null;
  if (here && !state.rooms.some((r) => r.id === here)) return null;
  return here;
}

/** Students of the class in no room (the main room's column in the instructor's panel). */
export function unplaced(
  state: BreakoutState,
  people: ReadonlyArray<{ userId: string; name: string; role: string }>,
): BreakoutPerson[] {
  const placed = new Set(state.rooms.flatMap((r) => r.students.map((p) => p.userId)));
  return people
    .filter((p) => (p.role === 'learner' || p.role === 'guest') && !placed.has(p.userId))
    .map((p) => ({ userId: p.userId, name: p.name }));
}

/** "m:ss" left until `endsAt` (ISO) at `now` (ms, the server's clock), never below 0:00. */
export function timeLeft(endsAt: string | null, now: number): string | null {
  if (!endsAt) return null;
  const s = Math.max(0, Math.ceil((Date.parse(endsAt) - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
