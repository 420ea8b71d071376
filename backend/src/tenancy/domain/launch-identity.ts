import { canonicalTimeZone } from '../../contracts/attendance';
import { LaunchRejectedError } from '../../platform/domain-error';
import { canTeach, CourseRole, mapLtiRoles } from './role-mapping';

/** Claim names of the LTI 1.3 core spec that Lectern reads. */
export const LTI = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  toolPlatform: 'https://purl.imsglobal.org/spec/lti/claim/tool_platform',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  launchPresentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
  agsEndpoint: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
} as const;

/** The LTI Advantage services a launch announces for its course. */
export interface LaunchServices {
  nrpsUrl: string | null;
  agsLineItemsUrl: string | null;
  agsLineItemUrl: string | null;
  agsScopes: string[];
}

/** A deep-linking request: where to send the instructor's choice back, and what the platform accepts. */
export interface DeepLinkingRequest {
  returnUrl: string;
  data: string | null;
  acceptMultiple: boolean;
  title: string | null;
}

export type LaunchMessageType = 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';

/** Everything a launch tells us about who is coming, from where, into what. */
export interface LaunchIdentity {
  issuer: string;
  clientId: string;
  deploymentId: string;
  platformName: string | null;
  course: { contextId: string; title: string; label: string | null };
  user: { subject: string; name: string; givenName: string | null; familyName: string | null; email: string | null };
  messageType: LaunchMessageType;
  /** The resource link launched; null for a deep-linking request, which has none. */
  activity: { resourceLinkId: string; title: string; description: string | null } | null;
  deepLinking: DeepLinkingRequest | null;
  ltiRoles: string[];
  role: CourseRole;
  services: LaunchServices;
  custom: Record<string, string>;
  /**
   * The launching person's time zone when the LMS substitutes one into the custom parameter `timezone`
   * (Canvas and Moodle: `timezone=$Person.address.timezone`); null when absent or not an IANA zone.
   */
  timeZone?: string | null;
  /** The LMS's language for this person (launch_presentation.locale, a BCP 47 tag); null when not sent or not a tag. */
  locale: string | null;
  /** Where the LMS asks to be sent back (launch_presentation.return_url); null when not sent. */
  returnUrl: string | null;
}

type Claims = Record<string, unknown>;

const str = (v: unknown, max = 1000): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : null;
const httpUrl = (v: unknown): string | null => {
  const s = str(v, 2000);
  if (!s) return null;
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol) ? s : null;
  } catch {
    return null;
  }
};
/** A BCP 47 language tag as LMSs send it (`es`, `es-419`, `pt_BR`), normalised to hyphens; anything else is null. */
export const languageTag = (v: unknown): string | null => {
  const s = str(v, 35)?.replace(/_/g, '-');
  return s && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(s) ? s : null;
};
const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/**
 * Resolves a verified id_token's claims into the tenant it belongs to
 * (platform = issuer + client id, deployment, course = LTI context) and the person launching.
 * Throws LaunchRejectedError with a code when something Lectern needs is missing.
 */
export function resolveLaunchIdentity(claims: Claims, clientId: string): LaunchIdentity {
  const issuer = str(claims.iss);
  if (!issuer) throw new LaunchRejectedError('ISSUER_MISSING', 'The launch does not say which platform sent it');
  const deploymentId = str(claims[LTI.deploymentId], 255);
  if (!deploymentId) throw new LaunchRejectedError('DEPLOYMENT_MISSING', 'The launch has no deployment id');
  const subject = str(claims.sub, 255);
  if (!subject)
    throw new LaunchRejectedError('SUBJECT_MISSING', 'The launch does not identify the user (no sub claim)');
  const context = obj(claims[LTI.context]);
  const contextId = str(context?.id, 255);
  if (!contextId) {
    throw new LaunchRejectedError(
      'CONTEXT_MISSING',
      'Lectern is launched from a course: the launch has no course context',
      400,
    );
  }
  const messageType: LaunchMessageType =
    claims[LTI.messageType] === 'LtiDeepLinkingRequest' ? 'LtiDeepLinkingRequest' : 'LtiResourceLinkRequest';
  const link = obj(claims[LTI.resourceLink]);
  const resourceLinkId = str(link?.id, 255);
  if (!resourceLinkId && messageType === 'LtiResourceLinkRequest') {
    throw new LaunchRejectedError('RESOURCE_LINK_MISSING', 'The launch has no resource link id', 400);
  }
  let deepLinking: DeepLinkingRequest | null = null;
  if (messageType === 'LtiDeepLinkingRequest') {
    const settings = obj(claims[LTI.deepLinkingSettings]);
    const returnUrl = httpUrl(settings?.deep_link_return_url);
    if (!returnUrl)
      throw new LaunchRejectedError('DEEP_LINKING_SETTINGS_MISSING', 'The deep-linking request has no return URL', 400);
    if (typeof settings?.data === 'string' && settings.data.length > 16384) {
      throw new LaunchRejectedError(
        'DEEP_LINKING_DATA_TOO_LARGE',
        'The deep-linking request carries too much data',
        400,
      );
    }
    const accepts = Array.isArray(settings?.accept_types) ? (settings!.accept_types as unknown[]) : [];
    if (!accepts.includes('ltiResourceLink')) {
      throw new LaunchRejectedError(
        'DEEP_LINKING_TYPE_NOT_ACCEPTED',
        'The LMS does not accept LTI resource links here',
        400,
      );
    }
    deepLinking = {
      returnUrl,
      // Echoed back unchanged, as the spec asks; a platform sending more than 16 KB of it is refused.
      data: typeof settings?.data === 'string' ? settings.data : null,
      acceptMultiple: settings?.accept_multiple === true,
      title: str(settings?.title, 255),
    };
  }
  const rolesClaim = claims[LTI.roles];
  if (!Array.isArray(rolesClaim)) throw new LaunchRejectedError('ROLES_MISSING', 'The launch has no roles claim', 400);
  const ltiRoles = rolesClaim.filter((r): r is string => typeof r === 'string');
  const role = mapLtiRoles(ltiRoles);
  if (!role) {
    throw new LaunchRejectedError(
      'ROLE_NOT_SUPPORTED',
      'Your role in this course is not one Lectern supports (instructor, teaching assistant, designer, learner, observer, administrator)',
      403,
    );
  }
  if (deepLinking && !canTeach(role)) {
    throw new LaunchRejectedError('DEEP_LINKING_TEACHER_ONLY', 'Only instructors can place Lectern in a course', 403);
  }
  const given = str(claims.given_name, 255);
  const family = str(claims.family_name, 255);
  const name = str(claims.name, 255) ?? ([given, family].filter(Boolean).join(' ') || `User ${subject.slice(0, 8)}`);
  const platform = obj(claims[LTI.toolPlatform]);
  const ags = obj(claims[LTI.agsEndpoint]);
  const nrps = obj(claims[LTI.nrps]);
  const presentation = obj(claims[LTI.launchPresentation]);
  const custom = Object.fromEntries(
    Object.entries(obj(claims[LTI.custom]) ?? {})
      .filter(([k, v]) => typeof v === 'string' && k.length <= 100)
      .map(([k, v]) => [k, (v as string).slice(0, 1000)]),
  );
  return {
    issuer,
    clientId,
    deploymentId,
    platformName: str(platform?.name, 255),
    course: {
      contextId,
      title: str(context?.title, 255) ?? str(context?.label, 255) ?? 'Untitled course',
      label: str(context?.label, 255),
    },
    user: { subject, name, givenName: given, familyName: family, email: str(claims.email, 320) },
    messageType,
    activity: resourceLinkId
      ? { resourceLinkId, title: str(link?.title, 255) ?? 'Live classroom', description: str(link?.description, 2000) }
      : null,
    deepLinking,
    ltiRoles,
    role,
    services: {
      nrpsUrl: httpUrl(nrps?.context_memberships_url),
      agsLineItemsUrl: httpUrl(ags?.lineitems),
      agsLineItemUrl: httpUrl(ags?.lineitem),
      agsScopes: Array.isArray(ags?.scope)
        ? (ags!.scope as unknown[]).filter((x): x is string => typeof x === 'string')
        : [],
    },
    custom,
    timeZone: canonicalTimeZone(custom.timezone ?? custom.time_zone ?? ''),
    locale: languageTag(presentation?.locale),
    returnUrl: httpUrl(presentation?.return_url),
  };
}
