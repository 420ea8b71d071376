import { describe, expect, it } from 'vitest';
import { ghostSockets, participantsOf, SocketEntry } from './presence';

const s = (
  socketId: string,
  userId: string,
  instanceId: string,
  joinedAt: string,
  role: SocketEntry['role'] = 'learner',
  name = userId,
): SocketEntry => ({
  socketId,
  userId,
  courseId: 'c1',
  name,
  role,
  instanceId,
  joinedAt,
});

describe('presence', () => {
  const sockets = [
    s('a1', 'ada', 'i1', '2026-01-01T10:00:05Z', 'instructor', 'Ada'),
    s('g1', 'grace', 'i1', '2026-01-01T10:01:00Z', 'learner', 'Grace'),
    s('g2', 'grace', 'i2', '2026-01-01T10:00:30Z', 'learner', 'Grace'),
    s('z1', 'zed', 'dead', '2026-01-01T10:00:00Z', 'learner', 'Zed'),
  ];
  const live = new Set(['i1', 'i2']);

  it('lists one participant per person on live instances, teachers first, with their flags', () => {
    const p = participantsOf(sockets, new Map([['grace', { camera: true, mic: false, handRaised: true }]]), live);
    expect(p.map((x) => x.userId)).toEqual(['ada', 'grace']);
    expect(p[1]).toMatchObject({ camera: true, handRaised: true, joinedAt: '2026-01-01T10:00:30Z' });
    expect(p[0]).toMatchObject({ camera: false, mic: false, handRaised: false });
  });

  it('finds the ghosts of a dead instance', () => {
    expect(ghostSockets(sockets, live).map((x) => x.socketId)).toEqual(['z1']);
  });
});
