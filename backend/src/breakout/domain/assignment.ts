/**
 * Who goes to which breakout room. Pure: people are user ids, rooms are indexes 0..n-1, and the caller
 * turns the result into rows and events. Every function returns new arrays; nothing is edited in place.
 */

/** The students of each room, by room index. */
export type Rooms = string[][];

/** A plan prepared before class: named rooms and who is in each (user ids). */
export interface PlanRoom {
  name: string;
  userIds: readonly string[];
}

export class AssignmentError extends Error {
  constructor(
    readonly code: 'NO_ROOMS' | 'TOO_MANY_ROOMS' | 'UNKNOWN_ROOM' | 'PLACED_TWICE',
    message: string,
  ) {
    super(message);
  }
}

export const MAX_ROOMS = 50;

function checkRoomCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new AssignmentError('NO_ROOMS', 'At least one room is needed');
  if (count > MAX_ROOMS) throw new AssignmentError('TOO_MANY_ROOMS', `At most ${MAX_ROOMS} rooms`);
}

/** Fisher-Yates over a copy, with the given source of randomness (tests pass a seeded one). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A small seeded generator (mulberry32), for reproducible splits in tests and benches. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random, balanced rooms: sizes differ by at most one whatever the constraints. `keepApart` lists
 * groups of students who should not share a room (a pair who distract each other, a group of friends):
 * the members of each group go first, each to an open room holding the fewest of its group-mates, so
 * they are apart whenever a group is no larger than the number of rooms (and spread as evenly as the
 * rooms allow when it is larger). Ids in a group who are not among the students are ignored.
 */
export function assignRandomly(
  students: readonly string[],
  roomCount: number,
  opts: { keepApart?: readonly (readonly string[])[]; random?: () => number } = {},
): Rooms {
  checkRoomCount(roomCount);
  const random = opts.random ?? Math.random;
  const unique = [...new Set(students)];
  const n = unique.length;
  const floor = Math.floor(n / roomCount);
  const bigRooms = n % roomCount; // this many rooms hold floor + 1
  const rooms: Rooms = Array.from({ length: roomCount }, () => []);
  const present = new Set(unique);
  const groupsOf = new Map<string, number[]>();
  (opts.keepApart ?? []).forEach((group, g) => {
    for (const id of new Set(group)) {
      if (!present.has(id)) continue;
      groupsOf.set(id, [...(groupsOf.get(id) ?? []), g]);
    }
  });
  const open = (): number[] => {
    const atCeiling = rooms.filter((r) => r.length === floor + 1).length;
    return rooms
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.length < floor || (r.length === floor && atCeiling < bigRooms))
      .map(({ i }) => i);
  };
  const conflicts = (room: number, id: string): number => {
    const mine = groupsOf.get(id) ?? [];
    if (!mine.length) return 0;
    return rooms[room].filter((other) => (groupsOf.get(other) ?? []).some((g) => mine.includes(g))).length;
  };
  const constrained = shuffled(
    unique.filter((id) => groupsOf.has(id)),
    random,
  ).sort((a, b) => (groupsOf.get(b)?.length ?? 0) - (groupsOf.get(a)?.length ?? 0));
  const free = shuffled(
    unique.filter((id) => !groupsOf.has(id)),
    random,
  );
  for (const id of [...constrained, ...free]) {
    const candidates = shuffled(open(), random);
    let best = candidates[0];
    for (const c of candidates) {
      const better =
        conflicts(c, id) < conflicts(best, id) ||
        (conflicts(c, id) === conflicts(best, id) && rooms[c].length < rooms[best].length);
      if (better) best = c;
    }
    rooms[best].push(id);
  }
  return rooms;
}

/**
 * Rooms set by hand: `placed` says which room each listed student goes to (the others stay in the main
 * room). A room index out of range or a student listed twice is refused, not guessed at.
 */
export function assignByHand(roomCount: number, placed: ReadonlyArray<{ userId: string; room: number }>): Rooms {
  checkRoomCount(roomCount);
  const rooms: Rooms = Array.from({ length: roomCount }, () => []);
  const seen = new Set<string>();
  for (const { userId, room } of placed) {
    if (!Number.isInteger(room) || room < 0 || room >= roomCount)
      throw new AssignmentError('UNKNOWN_ROOM', `There is no room ${room + 1}`);
    if (seen.has(userId)) throw new AssignmentError('PLACED_TWICE', 'A student can be in only one room');
    seen.add(userId);
    rooms[room].push(userId);
  }
  return rooms;
}

/** The index of the room with the fewest people (the first of those tied). */
export function smallestRoom(rooms: Rooms): number {
  let best = 0;
  rooms.forEach((r, i) => {
    if (r.length < rooms[best].length) best = i;
  });
  return best;
}

/**
 * A plan applied to the students present now: absent students are skipped (their places stay empty,
 * nobody else is moved to fill them), present students the plan does not name go one by one to the
 * smallest room, and a student named in two rooms counts in the first.
 */
export function assignFromPlan(plan: readonly PlanRoom[], present: readonly string[]): Rooms {
  checkRoomCount(plan.length);
  const here = new Set(present);
  const placed = new Set<string>();
  const rooms: Rooms = plan.map((room) =>
    room.userIds.filter((id) => {
      if (!here.has(id) || placed.has(id)) return false;
      placed.add(id);
      return true;
    }),
  );
  for (const id of present) {
    if (placed.has(id)) continue;
    placed.add(id);
    rooms[smallestRoom(rooms)].push(id);
  }
  return rooms;
}

/**
 * Where a student arriving after the split goes: the plan's room if the split came from a plan that
 * names them, else the smallest room. Someone already placed keeps their room.
 */
export function placeLateJoiner(rooms: Rooms, userId: string, plan?: readonly PlanRoom[]): number {
  const already = rooms.findIndex((r) => r.includes(userId));
  if (already >= 0) return already;
  const planned = plan?.findIndex((r) => r.userIds.includes(userId)) ?? -1;
  if (planned >= 0 && planned < rooms.length) return planned;
  return smallestRoom(rooms);
}

/** Moves one student to room `to` (or out of every room: back to the main room, `null`). */
export function moveStudent(rooms: Rooms, userId: string, to: number | null): Rooms {
  if (to !== null && (!Number.isInteger(to) || to < 0 || to >= rooms.length))
    throw new AssignmentError('UNKNOWN_ROOM', `There is no room ${to + 1}`);
  return rooms.map((r, i) => {
    const without = r.filter((id) => id !== userId);
    return i === to ? [...without, userId] : without;
  });
}

/** Default room names: "Room 1", "Room 2"… (the caller translates the word). */
export function roomNames(count: number, word = 'Room'): string[] {
  return Array.from({ length: count }, (_, i) => `${word} ${i + 1}`);
}
