import crypto from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { DomainError } from '../../platform/domain-error';

/**
 * Guest invite links: a signed token (HS256 with a key derived from the tool's session secret, so a link
 * cannot be made or altered without it) naming the link's row, its classroom and course, and expiring.
 * The row says the rest (revoked, single use taken, admission needed): a valid signature is necessary,
 * never sufficient.
 */
const AUDIENCE = 'lectern-guest-link';
export const MAX_GUEST_NAME = 60;
/** How long a link may live: from ten minutes to thirty days. */
export const GUEST_LINK_MIN_MINUTES = 10;
export const GUEST_LINK_MAX_MINUTES = 30 * 24 * 60;

export interface GuestLinkClaims {
  linkId: string;
  activityId: string;
  courseId: string;
}

/** The key links are signed with: derived from the session secret, so a session token is never a link and back. */
export function guestLinkKey(sessionSecret: string): Uint8Array {
  return new Uint8Array(crypto.createHmac('sha256', sessionSecret).update('lectern guest links v1').digest());
}

export async function signGuestLink(key: Uint8Array, claims: GuestLinkClaims, expiresAt: Date): Promise<string> {
  return new SignJWT({ act: claims.activityId, crs: claims.courseId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setJti(claims.linkId)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key);
}

const uuid = z.uuid();

/** The link's claims; GUEST_LINK_EXPIRED past its expiry, GUEST_LINK_INVALID for anything forged or mangled. */
export async function verifyGuestLink(key: Uint8Array, token: string): Promise<GuestLinkClaims> {
  try {
    const { payload } = await jwtVerify(token, key, { audience: AUDIENCE, algorithms: ['HS256'] });
    const claims = {
      linkId: uuid.parse(payload.jti),
      activityId: uuid.parse(payload.act),
      courseId: uuid.parse(payload.crs),
    };
    return claims;
  } catch (e) {
    if (e instanceof errors.JWTExpired)
      throw new DomainError(
        'GUEST_LINK_EXPIRED',
        'This invite link has expired: ask the instructor for a new one',
        410,
      );
    throw new DomainError('GUEST_LINK_INVALID', 'This invite link is not valid', 401);
  }
}

/** A link token as it may arrive in a URL: a compact JWS, bounded. */
export const guestLinkToken = z
  .string()
  .min(20)
  .max(1024)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be an invite link token');

/**
 * The name a guest gives: trimmed, inner runs of spaces made one, 1 to 60 characters, at least one letter
 * or digit, and no control, format or private-use characters (no invisible names, no bidi tricks).
 */
export const guestName = z
  .string()
  .transform((s) => s.normalize('NFC').trim().replace(/\s+/gu, ' '))
  .pipe(
    z
      .string()
      .min(1, 'enter your name')
      .max(MAX_GUEST_NAME, `at most ${MAX_GUEST_NAME} characters`)
      .refine((s) => !/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u.test(s), 'must not contain control or invisible characters')
      .refine((s) => /[\p{L}\p{N}]/u.test(s), 'must contain a letter or a digit'),
  );

/** The options an instructor picks for a link. */
export const guestLinkOptions = z
  .object({
    label: z.string().trim().max(80).optional(),
    expiresInMinutes: z.number().int().min(GUEST_LINK_MIN_MINUTES).max(GUEST_LINK_MAX_MINUTES),
    singleUse: z.boolean(),
    needsAdmission: z.boolean(),
  })
  .strict();
export type GuestLinkOptions = z.infer<typeof guestLinkOptions>;

/** Why a link that verified cannot be used now (null: it can). */
export function linkRefusal(
  link: { revokedAt: Date | null; usedAt: Date | null; singleUse: boolean; expiresAt: Date },
  now: Date,
): DomainError | null {
  if (link.revokedAt) return new DomainError('GUEST_LINK_REVOKED', 'This invite link was revoked', 410);
  if (link.expiresAt <= now)
    return new DomainError('GUEST_LINK_EXPIRED', 'This invite link has expired: ask the instructor for a new one', 410);
  if (link.singleUse && link.usedAt)
    return new DomainError('GUEST_LINK_USED', 'This invite link was for one person and has been used', 410);
  return null;
}
