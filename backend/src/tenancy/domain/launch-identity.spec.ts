import { describe, expect, it } from 'vitest';
import { LaunchRejectedError } from '../../platform/domain-error';
import { LTI, resolveLaunchIdentity } from './launch-identity';

const claims = () => ({
  iss: 'https://canvas.example.edu',
  sub: 'user-42',
  name: 'Grace Hopper',
  email: 'grace@example.edu',
  [LTI.deploymentId]: 'dep-1',
  [LTI.context]: { id: 'ctx-1', title: 'Compilers', label: 'CS-301' },
  [LTI.resourceLink]: { id: 'rl-1', title: 'Week 3 live session' },
  [LTI.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
  [LTI.toolPlatform]: { name: 'Canvas' },
});

const rejected = (c: Record<string, unknown>) => {
  try {
    resolveLaunchIdentity(c, 'client-1');
  } catch (e) {
    expect(e).toBeInstanceOf(LaunchRejectedError);
    return (e as LaunchRejectedError).code;
  }
  throw new Error('expected a rejection');
};

describe('resolveLaunchIdentity', () => {
  it('resolves tenant, course, user, activity and role', () => {
    const id = resolveLaunchIdentity(claims(), 'client-1');
    expect(id).toMatchObject({
      issuer: 'https://canvas.example.edu',
      clientId: 'client-1',
      deploymentId: 'dep-1',
      platformName: 'Canvas',
      course: { contextId: 'ctx-1', title: 'Compilers', label: 'CS-301' },
      user: { subject: 'user-42', name: 'Grace Hopper', email: 'grace@example.edu' },
      activity: { resourceLinkId: 'rl-1', title: 'Week 3 live session' },
      role: 'learner',
    });
  });

  it('reads the AGS and NRPS endpoints and custom parameters', () => {
    const id = resolveLaunchIdentity(
      {
        ...claims(),
        [LTI.agsEndpoint]: {
          scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score', 7],
          lineitems: 'https://lms/li',
          lineitem: 'javascript:alert(1)',
        },
        [LTI.nrps]: { context_memberships_url: 'https://lms/members', service_versions: ['2.0'] },
        [LTI.custom]: { classroom_id: 'abc', nested: { no: 1 } },
      },
      'client-1',
    );
    expect(id.services).toEqual({
      nrpsUrl: 'https://lms/members',
      agsLineItemsUrl: 'https://lms/li',
      agsLineItemUrl: null,
      agsScopes: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'],
    });
    expect(id.custom).toEqual({ classroom_id: 'abc' });
  });

  it("reads the person's time zone the LMS substitutes into custom.timezone, canonical, or none", () => {
    const withTz = (timezone: unknown) =>
      resolveLaunchIdentity({ ...claims(), [LTI.custom]: { timezone } }, 'client-1').timeZone;
    expect(withTz('america/denver')).toBe('America/Denver');
    // Canvas sends the variable's name back when it cannot substitute it.
    expect(withTz('$Person.address.timezone')).toBeNull();
    expect(withTz('+02:00')).toBeNull();
    expect(resolveLaunchIdentity(claims(), 'client-1').timeZone).toBeNull();
  });

  it('builds a name from given and family names when name is absent', () => {
    const c: Record<string, unknown> = { ...claims(), given_name: 'Ada', family_name: 'Lovelace' };
    delete c.name;
    expect(resolveLaunchIdentity(c, 'client-1').user.name).toBe('Ada Lovelace');
  });

  it.each([
    ['sub', 'SUBJECT_MISSING'],
    [LTI.deploymentId, 'DEPLOYMENT_MISSING'],
    [LTI.context, 'CONTEXT_MISSING'],
    [LTI.resourceLink, 'RESOURCE_LINK_MISSING'],
    [LTI.roles, 'ROLES_MISSING'],
  ])('rejects a launch without %s (%s)', (claim, code) => {
    const c: Record<string, unknown> = claims();
    delete c[claim];
    expect(rejected(c)).toBe(code);
  });

  it('reads a deep-linking request from an instructor', () => {
    const c: Record<string, unknown> = {
      ...claims(),
      [LTI.messageType]: 'LtiDeepLinkingRequest',
      [LTI.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
      [LTI.deepLinkingSettings]: {
        deep_link_return_url: 'https://lms/dl',
        accept_types: ['ltiResourceLink', 'link'],
        data: 'opaque',
        accept_multiple: true,
      },
    };
    delete c[LTI.resourceLink];
    const id = resolveLaunchIdentity(c, 'client-1');
    expect(id.activity).toBeNull();
    expect(id.deepLinking).toEqual({ returnUrl: 'https://lms/dl', data: 'opaque', acceptMultiple: true, title: null });
    expect(rejected({ ...c, [LTI.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] })).toBe(
      'DEEP_LINKING_TEACHER_ONLY',
    );
    expect(
      rejected({ ...c, [LTI.deepLinkingSettings]: { deep_link_return_url: 'https://lms/dl', accept_types: ['file'] } }),
    ).toBe('DEEP_LINKING_TYPE_NOT_ACCEPTED');
    expect(rejected({ ...c, [LTI.deepLinkingSettings]: { accept_types: ['ltiResourceLink'] } })).toBe(
      'DEEP_LINKING_SETTINGS_MISSING',
    );
  });

  it('rejects roles Lectern does not support', () => {
    expect(
      rejected({ ...claims(), [LTI.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student'] }),
    ).toBe('ROLE_NOT_SUPPORTED');
  });

  it('lets in what Canvas and Moodle send: observers (Mentor), designers (ContentDeveloper), an empty roles claim', () => {
    const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
    expect(resolveLaunchIdentity({ ...claims(), [LTI.roles]: [`${M}#Mentor`] }, 'client-1').role).toBe('observer');
    expect(resolveLaunchIdentity({ ...claims(), [LTI.roles]: [`${M}#ContentDeveloper`] }, 'client-1').role).toBe(
      'designer',
    );
    expect(resolveLaunchIdentity({ ...claims(), [LTI.roles]: [] }, 'client-1').role).toBe('observer');
  });

  it('reads the LMS language and return URL from launch_presentation; a malformed tag or URL is ignored', () => {
    const at = (presentation: unknown) =>
      resolveLaunchIdentity({ ...claims(), [LTI.launchPresentation]: presentation }, 'client-1');
    expect(at({ locale: 'es', return_url: 'https://canvas.example.edu/courses/1' })).toMatchObject({
      locale: 'es',
      returnUrl: 'https://canvas.example.edu/courses/1',
    });
    expect(at({ locale: 'pt_BR' }).locale).toBe('pt-BR');
    expect(at({ locale: 'es-419' }).locale).toBe('es-419');
    for (const bad of ['', 'e', 'español', '../../etc', '<script>', 42, null, 'x'.repeat(40)])
      expect(at({ locale: bad }).locale).toBeNull();
    expect(at({ return_url: 'javascript:alert(1)' }).returnUrl).toBeNull();
    expect(resolveLaunchIdentity(claims(), 'client-1')).toMatchObject({ locale: null, returnUrl: null });
  });
});
