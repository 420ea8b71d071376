import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Expiring links to stored recording files served by the backend itself: the path, its expiry and the
 * viewer it was issued to signed with HMAC-SHA256. A link bound to a viewer (`viewerKey` of the person
 * and course) verifies only with that same viewer, so the backend checks it against the session the
 * request carries: a link copied to someone else serves them nothing. It is handed out only after the
 * caller's role and course were checked, and expires.
 */

export interface SignedQuery {
  exp: string;
  sig: string;
}

// No viewer ('') keeps the signature of links made before links were bound, used by local storage's own links.
const mac = (secret: string, key: string, exp: number, viewer: string) =>
  createHmac('sha256', secret)
    .update(viewer ? `${key}\n${exp}\n${viewer}` : `${key}\n${exp}`)
    .digest('base64url');

/** Who a link is bound to: one person in one course of one platform deployment (not one token: tokens are refreshed). */
export function viewerKey(v: { platformId: string; deploymentId: string; courseId: string; userId: string }): string {
  return JSON.stringify([v.platformId, v.deploymentId, v.courseId, v.userId]);
}

/** The query of a link to `key` valid until `expiresAt` (seconds since epoch), for `viewer` when given. */
export function signKey(secret: string, key: string, expiresAt: number, viewer = ''): SignedQuery {
  return { exp: String(expiresAt), sig: mac(secret, key, expiresAt, viewer) };
}

export type SignatureVerdict = 'ok' | 'expired' | 'invalid';

/** Whether a link's query is valid for `key` (and `viewer`, when the link was bound) at `now` (seconds since epoch). */
export function verifyKey(
  secret: string,
  key: string,
  q: Partial<SignedQuery>,
  now: number,
  viewer = '',
): SignatureVerdict {
  if (typeof q.exp !== 'string' || typeof q.sig !== 'string' || !/^\d{1,12}$/.test(q.exp)) return 'invalid';
  const expected = Buffer.from(mac(secret, key, Number(q.exp), viewer));
  const given = Buffer.from(q.sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return Number(q.exp) < now ? 'expired' : 'ok';
}

/** Storage keys are `recordings/<uuid>/<path>`: letters, digits, `-`, `_`, `.` and `/`, no `..`. */
export function isSafeKey(key: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._/-]{0,300}$/.test(key) && !key.split('/').some((p) => p === '..' || p === '');
}
