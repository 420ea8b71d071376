import { LaunchRejectedError } from '../../platform/domain-error';
import { LTI } from '../../tenancy/domain/launch-identity';

/**
 * Checks Lectern makes on every launch on top of ltijs's own validation (signature against the
 * platform JWKS, exp, nonce reuse, claim presence). ltijs 5.9.9 accepts an unknown deployment id,
 * a nonce different from the one sent in the login request, an iat in the future and a
 * target_link_uri on another host; these checks refuse them.
 */

/** The login request Lectern recorded when it redirected the browser to the platform. */
export interface LoginRecord {
  state: string;
  nonce: string;
  issuer: string;
  clientId: string;
  createdAt: Date;
  consumedAt: Date | null;
}

export interface LaunchCheckInput {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  login: LoginRecord | null;
  /** Deployment ids registered for the login's platform. */
  deployments: readonly string[];
  /** The platform registered dynamically without naming its deployment: its deployments are taken as they come. */
  acceptNewDeployments?: boolean;
  /** The tool's public base URL: a launch must target this origin. */
  toolUrl: string;
  now: Date;
}

export const LOGIN_TTL_SECONDS = 600;
export const CLOCK_SKEW_SECONDS = 60;
const SUPPORTED_MESSAGE_TYPES = new Set(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']);

const reject = (code: string, message: string, status = 401): never => {
  throw new LaunchRejectedError(code, message, status);
};

export function checkLaunch(input: LaunchCheckInput): void {
  const { header, claims, login, now } = input;
  const nowSeconds = Math.floor(now.getTime() / 1000);

  if (header.alg !== 'RS256')
    reject('ALG_NOT_ALLOWED', `The id_token must be signed with RS256, not ${String(header.alg)}`);
  if (typeof header.kid !== 'string' || !header.kid) reject('KID_MISSING', 'The id_token header has no key id (kid)');

  if (!login)
    reject('STATE_UNKNOWN', 'This launch does not answer a login request Lectern made (unknown or missing state)');
  const record = login as LoginRecord;
  if (record.consumedAt) reject('STATE_REUSED', 'This launch was already used; launch again from your course');
  if (now.getTime() - record.createdAt.getTime() > LOGIN_TTL_SECONDS * 1000) {
    reject('STATE_EXPIRED', 'The login request expired; launch again from your course');
  }

  if (claims.iss !== record.issuer)
    reject('ISSUER_MISMATCH', 'The id_token comes from another platform than the login request');
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(record.clientId))
    reject('AUDIENCE_MISMATCH', 'The id_token is not addressed to this tool (aud)');
  if (audiences.length > 1 && claims.azp === undefined) {
    reject('AZP_MISSING', 'The id_token has several audiences but no authorized party (azp)');
  }
  if (claims.azp !== undefined && claims.azp !== record.clientId) {
    reject('AZP_MISMATCH', 'The id_token authorized party (azp) is not this tool');
  }
  if (claims.nonce !== record.nonce)
    reject('NONCE_MISMATCH', 'The id_token nonce is not the one sent in the login request');

  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < nowSeconds)
    reject('TOKEN_EXPIRED', 'The id_token has expired');
  if (typeof claims.iat !== 'number') reject('IAT_MISSING', 'The id_token has no issued-at time (iat)');
  if ((claims.iat as number) > nowSeconds + CLOCK_SKEW_SECONDS)
    reject('IAT_IN_FUTURE', 'The id_token claims to be issued in the future');

  const deploymentId = claims[LTI.deploymentId];
  if (typeof deploymentId !== 'string' || !deploymentId)
    reject('DEPLOYMENT_MISSING', 'The launch has no deployment id', 400);
  if (!input.deployments.includes(deploymentId as string) && !input.acceptNewDeployments) {
    reject('DEPLOYMENT_UNKNOWN', `Deployment "${String(deploymentId)}" is not registered for this platform`, 403);
  }

  const messageType = claims[LTI.messageType];
  if (typeof messageType !== 'string' || !messageType)
    reject('MESSAGE_TYPE_MISSING', 'The launch has no message type', 400);
  if (!SUPPORTED_MESSAGE_TYPES.has(messageType as string)) {
    reject('MESSAGE_TYPE_NOT_SUPPORTED', `Lectern does not handle ${String(messageType)} messages yet`, 400);
  }
  const version = claims[LTI.version];
  if (version === undefined) reject('VERSION_MISSING', 'The launch has no LTI version', 400);
  if (version !== '1.3.0')
    reject('VERSION_NOT_SUPPORTED', `LTI version ${String(version)} is not supported (1.3.0 is)`, 400);
  if (!Array.isArray(claims[LTI.roles])) reject('ROLES_MISSING', 'The launch has no roles claim', 400);
  const link = claims[LTI.resourceLink] as { id?: unknown } | undefined;
  if (messageType === 'LtiResourceLinkRequest' && (!link || typeof link.id !== 'string' || !link.id)) {
    reject('RESOURCE_LINK_MISSING', 'The launch has no resource link id', 400);
  }

  const target = claims[LTI.targetLinkUri];
  if (typeof target !== 'string') reject('TARGET_LINK_URI_MISSING', 'The launch has no target_link_uri', 400);
  let targetOrigin: string | null;
  try {
    targetOrigin = new URL(target as string).origin;
  } catch {
    targetOrigin = null;
  }
  if (targetOrigin !== new URL(input.toolUrl).origin) {
    reject('TARGET_LINK_URI_FOREIGN', 'The launch targets another host than this tool', 400);
  }
}

/** Reads a compact JWS without verifying it: only to route and pre-check; ltijs verifies the signature. */
export function decodeJwtUnverified(
  token: string,
): { header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!header || typeof header !== 'object' || !claims || typeof claims !== 'object') return null;
    return { header, claims };
  } catch {
    return null;
  }
}
