import { describe, expect, it } from 'vitest';
import {
  LTI_PLATFORM_CONFIGURATION,
  parseRegistrationResponse,
  RegistrationError,
  toolRegistration,
  validateOpenIdConfiguration,
} from './dynamic-registration';

const cfgUrl = 'https://lms.example.edu/.well-known/openid-configuration';
const good = () => ({
  issuer: 'https://lms.example.edu',
  authorization_endpoint: 'https://lms.example.edu/auth',
  token_endpoint: 'https://lms.example.edu/token',
  jwks_uri: 'https://lms.example.edu/jwks',
  registration_endpoint: 'https://lms.example.edu/register',
  id_token_signing_alg_values_supported: ['RS256'],
  token_endpoint_auth_methods_supported: ['private_key_jwt'],
  scopes_supported: ['openid', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'],
  [LTI_PLATFORM_CONFIGURATION]: {
    product_family_code: 'moodle',
    messages_supported: [{ type: 'LtiResourceLinkRequest' }],
  },
});

const problems = (raw: unknown, allowHttp = false) => {
  try {
    validateOpenIdConfiguration(raw, cfgUrl, allowHttp);
  } catch (e) {
    expect(e).toBeInstanceOf(RegistrationError);
    return (e as RegistrationError).problems;
  }
  return [];
};

describe('dynamic registration', () => {
  it('accepts a good configuration', () => {
    expect(validateOpenIdConfiguration(good(), cfgUrl, false)).toMatchObject({
      issuer: 'https://lms.example.edu',
      productFamilyCode: 'moodle',
      deepLinkingSupported: false,
    });
  });

  it.each<[string, (c: Record<string, unknown>) => void, RegExp]>([
    ['an issuer on another host', (c) => (c.issuer = 'https://evil.example'), /same host/],
    [
      'an http endpoint in production',
      (c) => (c.token_endpoint = 'http://lms.example.edu/token'),
      /token_endpoint must be an https URL/,
    ],
    ['no registration endpoint', (c) => delete c.registration_endpoint, /registration_endpoint/],
    ['no RS256', (c) => (c.id_token_signing_alg_values_supported = ['HS256']), /RS256/],
    [
      'no private_key_jwt',
      (c) => (c.token_endpoint_auth_methods_supported = ['client_secret_basic']),
      /private_key_jwt/,
    ],
    ['no LTI platform configuration', (c) => delete c[LTI_PLATFORM_CONFIGURATION], /lti-platform-configuration/],
  ])('refuses %s', (_n, mutate, problem) => {
    const c: Record<string, unknown> = good();
    mutate(c);
    expect(problems(c).join('\n')).toMatch(problem);
  });

  it('refuses something that is not an object', () => {
    expect(problems('<html>')).toEqual(['the OpenID configuration is not a JSON object']);
  });

  it('asks only for scopes the platform supports, and offers deep linking where it can', () => {
    const reg = toolRegistration('https://lectern.example', validateOpenIdConfiguration(good(), cfgUrl, false));
    expect(reg.scope).toBe('https://purl.imsglobal.org/spec/lti-ags/scope/score');
    expect(reg).toMatchObject({
      initiate_login_uri: 'https://lectern.example/lti/login',
      redirect_uris: ['https://lectern.example/lti'],
      jwks_uri: 'https://lectern.example/lti/keys',
    });
    const messages = (
      reg['https://purl.imsglobal.org/spec/lti-tool-configuration'] as { messages: Array<{ type: string }> }
    ).messages;
    expect(messages.map((m) => m.type)).toEqual(['LtiResourceLinkRequest']);
  });

  it('reads the client id and deployment of the answer', () => {
    expect(
      parseRegistrationResponse({
        client_id: 'c1',
        'https://purl.imsglobal.org/spec/lti-tool-configuration': { deployment_id: 'd1' },
      }),
    ).toEqual({
      clientId: 'c1',
      deploymentId: 'd1',
    });
    expect(parseRegistrationResponse({ client_id: 'c1' })).toEqual({ clientId: 'c1', deploymentId: null });
    expect(() => parseRegistrationResponse({ error: 'x' })).toThrow(RegistrationError);
  });

  const TOOL_CONF = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
  const withFamily = (family: string, messages_supported: unknown) => {
    const c: Record<string, any> = good();
    c[LTI_PLATFORM_CONFIGURATION] = { product_family_code: family, messages_supported };
    return toolRegistration('https://lectern.example', validateOpenIdConfiguration(c, cfgUrl, false));
  };

  it('sends Canvas explicit placements, the privacy level, course navigation for members and a dialog size', () => {
    const reg = withFamily('canvas', [
      { type: 'LtiResourceLinkRequest', placements: ['course_navigation', 'account_navigation'] },
      { type: 'LtiDeepLinkingRequest', placements: ['assignment_selection', 'link_selection', 'editor_button'] },
    ]);
    const conf = reg[TOOL_CONF] as Record<string, any>;
    expect(conf['https://canvas.instructure.com/lti/privacy_level']).toBe('public');
    expect(conf.messages).toEqual([
      expect.objectContaining({
        type: 'LtiResourceLinkRequest',
        target_link_uri: 'https://lectern.example/lti',
        placements: ['course_navigation'],
        'https://canvas.instructure.com/lti/visibility': 'members',
        'https://canvas.instructure.com/lti/course_navigation/default_enabled': true,
      }),
      expect.objectContaining({
        type: 'LtiDeepLinkingRequest',
        placements: ['link_selection', 'assignment_selection'],
        'https://canvas.instructure.com/lti/launch_width': 800,
        'https://canvas.instructure.com/lti/launch_height': 600,
      }),
    ]);
  });

  it('asks Canvas only for placements it lists (a Canvas without assignment_selection gets link_selection only)', () => {
    const conf = withFamily('canvas', [
      { type: 'LtiResourceLinkRequest', placements: ['https://canvas.instructure.com/lti/course_navigation'] },
      { type: 'LtiDeepLinkingRequest', placements: ['link_selection'] },
    ])[TOOL_CONF] as Record<string, any>;
    expect(conf.messages.map((m: { placements: string[] }) => m.placements)).toEqual([
      ['course_navigation'],
      ['link_selection'],
    ]);
  });

  it("reads Moodle's messages_supported (a list of strings) and offers it deep linking, without Canvas extensions", () => {
    const reg = withFamily('moodle', ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']);
    const conf = reg[TOOL_CONF] as Record<string, any>;
    expect(conf.messages.map((m: { type: string }) => m.type)).toEqual([
      'LtiResourceLinkRequest',
      'LtiDeepLinkingRequest',
    ]);
    expect(JSON.stringify(conf)).not.toContain('canvas.instructure.com');
    expect(conf.claims).toEqual(['iss', 'sub', 'name', 'given_name', 'family_name', 'email']);
  });
});
