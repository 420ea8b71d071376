import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../domain-error';
import { SessionClaims, SessionTokens } from './session-token';

const claims: SessionClaims = {
  userId: 'u',
  platformId: 'p',
  deploymentId: 'd',
  courseId: 'c',
  activityId: 'a',
  role: 'learner',
  name: 'Grace',
};

describe('SessionTokens', () => {
  const tokens = new SessionTokens('x'.repeat(32), 'http://localhost:3000', 60);

  it('round-trips claims', async () => {
    const { token, expiresAt } = await tokens.issue(claims);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());
    const back = await tokens.verify(token);
    expect(back).toMatchObject(claims);
    expect(back.expiresAt).toBeGreaterThan(Date.now());
  });

  it('refuses a token signed with another secret', async () => {
    const { token } = await new SessionTokens('y'.repeat(32), 'http://localhost:3000', 60).issue(claims);
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'SESSION_INVALID' });
  });

  it('refuses a token of another issuer', async () => {
    const { token } = await new SessionTokens('x'.repeat(32), 'http://elsewhere', 60).issue(claims);
    await expect(tokens.verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('says when a token has expired', async () => {
    const { token } = await new SessionTokens('x'.repeat(32), 'http://localhost:3000', -120).issue(claims);
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
  });

  it('carries the launch time through a refresh and never outlives launch + max age', async () => {
    const short = new SessionTokens('x'.repeat(32), 'http://localhost:3000', 3600, 600);
    const first = await short.verify((await short.issue(claims)).token);
    expect(Math.abs(first.launchedAt! - Date.now())).toBeLessThan(5000);
    const { token, expiresAt, endsAt } = await short.issue(first);
    expect((await short.verify(token)).launchedAt).toBe(first.launchedAt);
    expect(endsAt.getTime()).toBe(first.launchedAt! + 600_000);
    // The token's own lifetime (an hour) is cut to the session's end (ten minutes after the launch).
    expect(expiresAt.getTime()).toBeLessThanOrEqual(first.launchedAt! + 600_000);
  });

  it('refuses to issue or accept a token of a session past its absolute lifetime', async () => {
    const lenient = new SessionTokens('x'.repeat(32), 'http://localhost:3000', 3600, 100 * 3600);
    const strict = new SessionTokens('x'.repeat(32), 'http://localhost:3000', 3600, 12 * 3600);
    const launchedAt = Date.now() - 13 * 3600_000;
    const { token } = await lenient.issue({ ...claims, launchedAt });
    await expect(strict.verify(token)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    await expect(strict.issue({ ...claims, launchedAt })).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    await expect(strict.issue({ ...claims, launchedAt: Date.now() + 3600_000 })).rejects.toMatchObject({
      code: 'SESSION_INVALID',
    });
  });
});
