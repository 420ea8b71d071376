import { describe, expect, it } from 'vitest';
import { renewedSession, sessionTokenExpired } from './session-renewal';
import type { SessionClaims } from './session-token';

const current: SessionClaims = {
  userId: 'u1',
  platformId: 'p1',
  deploymentId: 'd1',
  courseId: 'c1',
  activityId: 'a1',
  role: 'learner',
  name: 'Grace Hopper',
  launchedAt: 1_000,
  expiresAt: 3_600_000,
};

describe('renewedSession', () => {
  it("takes the refreshed token's claims (a later expiry, a changed display name) for the same session", () => {
    const next = { ...current, name: 'Grace B. Hopper', expiresAt: 7_200_000 };
    expect(renewedSession(current, next)).toEqual(next);
  });

  it('refuses a token of another person, platform, deployment, course, classroom, role, guest class or launch', () => {
    const others: Array<Partial<SessionClaims>> = [
      { userId: 'u2' },
      { platformId: 'p2' },
      { deploymentId: 'd2' },
      { courseId: 'c2' },
      { activityId: 'a2' },
      { activityId: null },
      { role: 'instructor' },
      { guestOf: 's1' },
      { launchedAt: 2_000 },
    ];
    for (const o of others)
      expect(() => renewedSession(current, { ...current, ...o, expiresAt: 7_200_000 }), JSON.stringify(o)).toThrow(
        expect.objectContaining({ code: 'SESSION_MISMATCH' }),
      );
  });

  it('refuses a token that expires before the one the connection has (an older token replayed)', () => {
    expect(() => renewedSession(current, { ...current, expiresAt: 1_800_000 })).toThrow(
      expect.objectContaining({ code: 'SESSION_MISMATCH' }),
    );
  });
});

describe('sessionTokenExpired', () => {
  it('is true from the expiry on, false before it or without one', () => {
    expect(sessionTokenExpired({ expiresAt: 1_000 }, 999)).toBe(false);
    expect(sessionTokenExpired({ expiresAt: 1_000 }, 1_000)).toBe(true);
    expect(sessionTokenExpired({}, 5_000)).toBe(false);
  });
});
