/**
 * LTI Dynamic Registration 1.0, the tool's side: validate the platform's OpenID configuration, build the
 * registration. Pure.
 *
 * What each platform does with the registration, read in its own source:
 * - Canvas (instructure/canvas-lms app/models/lti/ims/registration.rb, lib/schemas/lti/ims/lti_tool_configuration.rb,
 *   doc/api/registration.md): a message without `placements` becomes `link_selection`, and one placement is
 *   kept per name, so placements are sent explicitly; the privacy level comes from the
 *   `https://canvas.instructure.com/lti/privacy_level` claim (else inferred from `claims`); course
 *   navigation visibility and default, and the selection dialog size (`launch_width`/`launch_height`,
 *   turned into selection_width/height) are Canvas extensions on the message. Its OpenID configuration
 *   lists `messages_supported` as objects with the placements it offers.
 * - Moodle (moodle/moodle mod/lti/openid-configuration.php, mod/lti/classes/local/ltiopenid/registration_helper.php):
 *   `messages_supported` is a list of strings; a registration becomes a *preconfigured* tool (not in the
 *   activity chooser), "Accept grades: delegate to teacher" when AGS scopes are asked, launch container
 *   "embed without blocks", name and email "always" when those claims are asked. Nothing the tool sends
 *   changes the first two: the README tells the admin what to change afterwards.
 */
import {
  DEEP_LINK_LABEL,
  SELECTION_SIZE,
  TOOL_CLAIMS,
  TOOL_SCOPES,
  TOOL_TITLE,
  toolDescription,
  toolEndpoints,
} from './tool-configuration';

export { TOOL_SCOPES };

export const LTI_PLATFORM_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
export const LTI_TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

const CANVAS_EXT = 'https://canvas.instructure.com/lti';
const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';

/** A message type the platform supports, with the placements it lists for it (null: it lists none). */
export interface SupportedMessage {
  type: string;
  placements: string[] | null;
}

export interface PlatformConfiguration {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  registrationEndpoint: string;
  productFamilyCode: string;
  scopesSupported: string[] | null;
  deepLinkingSupported: boolean;
  /** null when the platform does not say. */
  messagesSupported: SupportedMessage[] | null;
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
  const messages = supportedMessages(ltiConf.messages_supported);
  return {
    issuer: c.issuer as string,
    authorizationEndpoint: c.authorization_endpoint as string,
    tokenEndpoint: c.token_endpoint as string,
    jwksUri: c.jwks_uri as string,
    registrationEndpoint: c.registration_endpoint as string,
    productFamilyCode: ltiConf.product_family_code as string,
    scopesSupported: list(c.scopes_supported),
    deepLinkingSupported: messages ? messages.some((m) => m.type === 'LtiDeepLinkingRequest') : true,
    messagesSupported: messages,
  };
}

/** Moodle lists message types as strings, Canvas (and the spec's example) as objects with placements. */
function supportedMessages(raw: unknown): SupportedMessage[] | null {
  if (!Array.isArray(raw)) return null;
  return raw.flatMap((m): SupportedMessage[] => {
    if (typeof m === 'string') return [{ type: m, placements: null }];
    if (!m || typeof m !== 'object' || typeof (m as { type?: unknown }).type !== 'string') return [];
    const p = (m as { placements?: unknown }).placements;
    return [
      {
        type: (m as { type: string }).type,
        placements: Array.isArray(p) ? p.filter((x): x is string => typeof x === 'string') : null,
      },
    ];
  });
}

/**
 * The placements to ask for: those the platform lists for the message type (by Canvas name or with
 * Canvas's URL prefix), or all of them when it lists none.
 */
function offered(platform: PlatformConfiguration, type: string, wanted: string[]): string[] {
  const listed = platform.messagesSupported?.find((m) => m.type === type)?.placements;
  if (!listed) return wanted;
  return wanted.filter((w) => listed.includes(w) || listed.includes(`${CANVAS_EXT}/${w}`));
}

export const isCanvas = (platform: Pick<PlatformConfiguration, 'productFamilyCode'>) =>
  platform.productFamilyCode.toLowerCase() === 'canvas';

/**
 * The messages for Canvas: course navigation as a resource link (visible to course members, on by
 * default), Modules and Assignments as deep linking (the classroom-creation page) in an 800×600 dialog.
 */
function canvasMessages(platform: PlatformConfiguration, launch: string, icon: string): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  const nav = offered(platform, 'LtiResourceLinkRequest', ['course_navigation']);
  if (nav.length) {
    messages.push({
      type: 'LtiResourceLinkRequest',
      target_link_uri: launch,
      label: TOOL_TITLE,
      icon_uri: icon,
      placements: nav,
      [`${CANVAS_EXT}/course_navigation/default_enabled`]: true,
      [`${CANVAS_EXT}/visibility`]: 'members',
    });
  }
  const selection = platform.deepLinkingSupported
    ? offered(platform, 'LtiDeepLinkingRequest', ['link_selection', 'assignment_selection'])
    : [];
  if (selection.length) {
    messages.push({
      type: 'LtiDeepLinkingRequest',
      target_link_uri: launch,
      label: DEEP_LINK_LABEL,
      icon_uri: icon,
      placements: selection,
      [`${CANVAS_EXT}/launch_width`]: SELECTION_SIZE.width,
      [`${CANVAS_EXT}/launch_height`]: SELECTION_SIZE.height,
    });
  }
  return messages;
}

/** The client registration Lectern sends the platform. */
export function toolRegistration(toolUrl: string, platform: PlatformConfiguration): Record<string, unknown> {
  const scopes = platform.scopesSupported
    ? TOOL_SCOPES.filter((s) => platform.scopesSupported!.includes(s))
    : TOOL_SCOPES;
  const e = toolEndpoints(toolUrl);
  const canvas = isCanvas(platform);
  const messages: Record<string, unknown>[] = canvas
    ? canvasMessages(platform, e.launch, e.icon)
    : [{ type: 'LtiResourceLinkRequest', target_link_uri: e.launch, label: TOOL_TITLE }];
  if (!canvas && platform.deepLinkingSupported) {
    messages.push({
      type: 'LtiDeepLinkingRequest',
      target_link_uri: e.launch,
      label: DEEP_LINK_LABEL,
      placements: ['ContentArea'],
      roles: [`${LIS}Instructor`, `${LIS}ContentDeveloper`],
    });
  }
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: e.login,
    redirect_uris: [e.launch],
    client_name: TOOL_TITLE,
    jwks_uri: e.jwks,
    logo_uri: e.icon,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: scopes.join(' '),
    [LTI_TOOL_CONFIGURATION]: {
      domain: new URL(e.launch).host,
      target_link_uri: e.launch,
      description: toolDescription(),
      claims: [...TOOL_CLAIMS],
      messages,
      ...(canvas ? { [`${CANVAS_EXT}/privacy_level`]: 'public', [`${CANVAS_EXT}/tool_id`]: 'lectern' } : {}),
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
