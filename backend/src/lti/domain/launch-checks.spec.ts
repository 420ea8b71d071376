import { describe, expect, it } from 'vitest';
import { LaunchRejectedError } from '../../platform/domain-error';
import { LTI } from '../../tenancy/domain/launch-identity';
import { checkLaunch, decodeJwtUnverified, LaunchCheckInput } from './launch-checks';

const now = new Date('2026-11-24T12:00:00Z');
const t = Math.floor(now.getTime() / 1000);

const valid = (): LaunchCheckInput => ({
  header: { alg: 'RS256', kid: 'k1' },
  claims: {
    iss: 'https://lms.example.edu',
    aud: 'client-1',
    sub: 'u1',
    nonce: 'n-123',
    iat: t - 5,
    exp: t + 300,
    [LTI.deploymentId]: 'dep-1',
    [LTI.messageType]: 'LtiResourceLinkRequest',
    [LTI.version]: '1.3.0',
    [LTI.roles]: [],
    [LTI.resourceLink]: { id: 'rl-1' },
    [LTI.targetLinkUri]: 'https://lectern.example.edu/lti',
  },
  login: {
    state: 's-1',
    nonce: 'n-123',
    issuer: 'https://lms.example.edu',
    clientId: 'client-1',
    createdAt: new Date(now.getTime() - 2000),
    consumedAt: null,
  },
  deployments: ['dep-1'],
  toolUrl: 'https://lectern.example.edu',
  now,
});

const codeOf = (input: LaunchCheckInput) => {
  try {
    checkLaunch(input);
    return 'ACCEPTED';
  } catch (e) {
    expect(e).toBeInstanceOf(LaunchRejectedError);
    return (e as LaunchRejectedError).code;
  }
};

const withClaims = (patch: Record<string, unknown>) => {
  const i = valid();
  i.claims = { ...i.claims, ...patch };
  return i;
};

describe('checkLaunch', () => {
  it('accepts a well-formed launch', () => {
    expect(codeOf(valid())).toBe('ACCEPTED');
  });

  it('accepts a deep-linking request, which has no resource link', () => {
    expect(codeOf(withClaims({ [LTI.messageType]: 'LtiDeepLinkingRequest', [LTI.resourceLink]: undefined }))).toBe(
      'ACCEPTED',
    );
  });

  it('accepts several audiences when azp names this tool', () => {
    expect(codeOf(withClaims({ aud: ['other', 'client-1'], azp: 'client-1' }))).toBe('ACCEPTED');
  });

  it.each<[string, (i: LaunchCheckInput) => void, string]>([
    ['alg none', (i) => (i.header.alg = 'none'), 'ALG_NOT_ALLOWED'],
    ['HS256', (i) => (i.header.alg = 'HS256'), 'ALG_NOT_ALLOWED'],
    ['no kid', (i) => delete i.header.kid, 'KID_MISSING'],
    ['no login request', (i) => (i.login = null), 'STATE_UNKNOWN'],
    ['a consumed login request (replay)', (i) => (i.login!.consumedAt = now), 'STATE_REUSED'],
    ['an old login request', (i) => (i.login!.createdAt = new Date(now.getTime() - 11 * 60_000)), 'STATE_EXPIRED'],
    ['another issuer', (i) => (i.claims.iss = 'https://evil.example'), 'ISSUER_MISMATCH'],
    ['another audience', (i) => (i.claims.aud = 'client-2'), 'AUDIENCE_MISMATCH'],
    ['several audiences without azp', (i) => (i.claims.aud = ['client-1', 'x']), 'AZP_MISSING'],
    ['a wrong azp', (i) => (i.claims.azp = 'client-2'), 'AZP_MISMATCH'],
    ['another nonce', (i) => (i.claims.nonce = 'n-999'), 'NONCE_MISMATCH'],
    ['an expired token', (i) => (i.claims.exp = t - 3600), 'TOKEN_EXPIRED'],
    ['iat in the future', (i) => (i.claims.iat = t + 3600), 'IAT_IN_FUTURE'],
    ['an unknown deployment', (i) => (i.claims[LTI.deploymentId] = 'dep-x'), 'DEPLOYMENT_UNKNOWN'],
    ['no deployment', (i) => delete i.claims[LTI.deploymentId], 'DEPLOYMENT_MISSING'],
    ['no message type', (i) => delete i.claims[LTI.messageType], 'MESSAGE_TYPE_MISSING'],
    [
      'an unsupported message type',
      (i) => (i.claims[LTI.messageType] = 'LtiSubmissionReviewRequest'),
      'MESSAGE_TYPE_NOT_SUPPORTED',
    ],
    ['no version', (i) => delete i.claims[LTI.version], 'VERSION_MISSING'],
    ['LTI 1.1 version', (i) => (i.claims[LTI.version] = '1.1'), 'VERSION_NOT_SUPPORTED'],
    ['no roles', (i) => delete i.claims[LTI.roles], 'ROLES_MISSING'],
    ['no resource link', (i) => delete i.claims[LTI.resourceLink], 'RESOURCE_LINK_MISSING'],
    [
      'a target on another host',
      (i) => (i.claims[LTI.targetLinkUri] = 'https://evil.example/lti'),
      'TARGET_LINK_URI_FOREIGN',
    ],
    ['a target that is not a URL', (i) => (i.claims[LTI.targetLinkUri] = 'not a url'), 'TARGET_LINK_URI_FOREIGN'],
  ])('rejects %s', (_name, mutate, code) => {
    const input = valid();
    mutate(input);
    expect(codeOf(input)).toBe(code);
  });
});

describe('decodeJwtUnverified', () => {
  it('reads header and claims', () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    expect(decodeJwtUnverified(`${enc({ alg: 'RS256' })}.${enc({ sub: 'x' })}.sig`)).toEqual({
      header: { alg: 'RS256' },
      claims: { sub: 'x' },
    });
  });
  it('returns null for garbage', () => {
    expect(decodeJwtUnverified('abc')).toBeNull();
    expect(decodeJwtUnverified('a.b.c')).toBeNull();
  });
});
