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
});
