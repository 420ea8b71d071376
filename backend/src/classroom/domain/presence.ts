import type { CourseRole } from '../../contracts/api';
import type { Participant } from '../../contracts/realtime';

/** One connected socket in a room, as kept in Redis. A person may have several (tabs, devices). */
export interface SocketEntry {
  socketId: string;
  userId: string;
  courseId: string;
  name: string;
  role: CourseRole;
  instanceId: string;
  joinedAt: string;
}

/** What a person shows in the room, shared by all their sockets. */
export interface ParticipantFlags {
  camera: boolean;
  mic: boolean;
  handRaised: boolean;
}

export const NO_FLAGS: ParticipantFlags = { camera: false, mic: false, handRaised: false };

/**
 * The participants of a room: one per person with at least one socket on a live instance, joined at
 * their earliest socket, teachers first, then by name.
 */
export function participantsOf(
  sockets: readonly SocketEntry[],
  flags: ReadonlyMap<string, ParticipantFlags>,
  liveInstances: ReadonlySet<string>,
): Participant[] {
  const byUser = new Map<string, Participant>();
  for (const s of sockets) {
    if (!liveInstances.has(s.instanceId)) continue;
    const existing = byUser.get(s.userId);
    if (existing) {
      if (s.joinedAt < existing.joinedAt) existing.joinedAt = s.joinedAt;
      continue;
    }
    byUser.set(s.userId, {
      userId: s.userId,
      name: s.name,
      role: s.role,
      joinedAt: s.joinedAt,
      ...(flags.get(s.userId) ?? NO_FLAGS),
    });
  }
  const rank = (r: CourseRole) => (r === 'learner' ? 1 : 0);
  return [...byUser.values()].sort((a, b) => rank(a.role) - rank(b.role) || a.name.localeCompare(b.name));
}

/** Sockets whose instance stopped beating: ghosts to remove. */
export function ghostSockets(sockets: readonly SocketEntry[], liveInstances: ReadonlySet<string>): SocketEntry[] {
  return sockets.filter((s) => !liveInstances.has(s.instanceId));
}
