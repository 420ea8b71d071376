/** LTI Dynamic Registration 1.0, the tool's side: validate the platform's OpenID configuration, build the registration. Pure. */

export const LTI_PLATFORM_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
export const LTI_TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

export const TOOL_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];

export interface PlatformConfiguration {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  registrationEndpoint: string;
  productFamilyCode: string;
  scopesSupported: string[] | null;
  deepLinkingSupported: boolean;
}

export class RegistrationError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const isUrl = (v: unknown, allowHttp: boolean): v is string => {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || (allowHttp && u.protocol === 'http:');
  } catch {
    return false;
  }
};

/**
 * Checks a platform's OpenID configuration as the spec asks: the issuer on the same host as the
 * configuration URL, every endpoint an https URL (http allowed only outside production), RS256 and
 * private_key_jwt supported when the platform lists what it supports.
 */
export function validateOpenIdConfiguration(
  raw: unknown,
  configurationUrl: string,
  allowHttp: boolean,
): PlatformConfiguration {
  const problems: string[] = [];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new RegistrationError(['the OpenID configuration is not a JSON object']);
  const c = raw as Record<string, unknown>;
  const urls = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'registration_endpoint'] as const;
  for (const f of urls)
    if (!isUrl(c[f], allowHttp)) problems.push(`${f} must be ${allowHttp ? 'an http(s)' : 'an https'} URL`);
  if (isUrl(c.issuer, allowHttp) && new URL(c.issuer).host !== new URL(configurationUrl).host) {
    problems.push('issuer must be on the same host as the openid_configuration URL');
  }
  if (
    isUrl(c.issuer, allowHttp) &&
    isUrl(c.registration_endpoint, allowHttp) &&
    new URL(c.registration_endpoint).host !== new URL(c.issuer).host
  ) {
    problems.push("registration_endpoint must be on the issuer's host");
  }
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null);
  const algs = list(c.id_token_signing_alg_values_supported);
  if (algs && !algs.includes('RS256')) problems.push('the platform does not sign id_tokens with RS256');
  const auth = list(c.token_endpoint_auth_methods_supported);
  if (auth && !auth.includes('private_key_jwt'))
    problems.push('the platform does not accept private_key_jwt client authentication');
  const lti = c[LTI_PLATFORM_CONFIGURATION];
  if (!lti || typeof lti !== 'object') problems.push(`${LTI_PLATFORM_CONFIGURATION} is missing`);
  const ltiConf = (lti ?? {}) as Record<string, unknown>;
  if (lti && typeof ltiConf.product_family_code !== 'string') problems.push('product_family_code is missing');
  if (problems.length) throw new RegistrationError(problems);
  const messages = Array.isArray(ltiConf.messages_supported)
    ? (ltiConf.messages_supported as Array<{ type?: unknown }>)
    : null;
  return {
    issuer: c.issuer as string,
    authorizationEndpoint: c.authorization_endpoint as string,
    tokenEndpoint: c.token_endpoint as string,
    jwksUri: c.jwks_uri as string,
    registrationEndpoint: c.registration_endpoint as string,
    productFamilyCode: ltiConf.product_family_code as string,
    scopesSupported: list(c.scopes_supported),
    deepLinkingSupported: messages ? messages.some((m) => m?.type === 'LtiDeepLinkingRequest') : true,
  };
}

/** The client registration Lectern sends the platform. */
export function toolRegistration(toolUrl: string, platform: PlatformConfiguration): Record<string, unknown> {
  const scopes = platform.scopesSupported
    ? TOOL_SCOPES.filter((s) => platform.scopesSupported!.includes(s))
    : TOOL_SCOPES;
  const launch = `${toolUrl}/lti`;
  const messages: Record<string, unknown>[] = [
    { type: 'LtiResourceLinkRequest', target_link_uri: launch, label: 'Lectern live classroom' },
  ];
  if (platform.deepLinkingSupported) {
    messages.push({
      type: 'LtiDeepLinkingRequest',
      target_link_uri: launch,
      label: 'Add a Lectern classroom',
      placements: ['ContentArea', 'link_selection', 'assignment_selection'],
      roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
    });
  }
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: `${toolUrl}/lti/login`,
    redirect_uris: [launch],
    client_name: 'Lectern',
    jwks_uri: `${toolUrl}/lti/keys`,
    logo_uri: `${toolUrl}/favicon.ico`,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: scopes.join(' '),
    [LTI_TOOL_CONFIGURATION]: {
      domain: new URL(toolUrl).host,
      target_link_uri: launch,
      description: 'Live virtual classroom: video, whiteboard, chat, quizzes, attendance.',
      claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'],
      messages,
    },
  };
}

/** Reads the platform's answer: the client id it gave Lectern, and the deployment, when it names one. */
export function parseRegistrationResponse(raw: unknown): { clientId: string; deploymentId: string | null } {
  const r = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  if (typeof r.client_id !== 'string' || !r.client_id)
    throw new RegistrationError(['the platform answered without a client_id']);
  const conf = r[LTI_TOOL_CONFIGURATION] as Record<string, unknown> | undefined;
  const dep = conf?.deployment_id;
  return {
    clientId: r.client_id.slice(0, 255),
    deploymentId: typeof dep === 'string' && dep ? dep.slice(0, 255) : null,
  };
}
