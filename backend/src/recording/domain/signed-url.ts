import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Expiring links to stored recording files served by the backend itself (local-disk storage): the path
 * and its expiry signed with HMAC-SHA256. Whoever has the link may fetch that one file until it expires;
 * it is handed out only after the caller's role and course were checked.
 */

export interface SignedQuery {
  exp: string;
  sig: string;
}

const mac = (secret: string, key: string, exp: number) =>
  createHmac('sha256', secret).update(`${key}\n${exp}`).digest('base64url');

/** The query of a link to `key` valid until `expiresAt` (seconds since epoch). */
export function signKey(secret: string, key: string, expiresAt: number): SignedQuery {
  return { exp: String(expiresAt), sig: mac(secret, key, expiresAt) };
}

export type SignatureVerdict = 'ok' | 'expired' | 'invalid';

/** Whether a link's query is valid for `key` at `now` (seconds since epoch). */
export function verifyKey(secret: string, key: string, q: Partial<SignedQuery>, now: number): SignatureVerdict {
  if (typeof q.exp !== 'string' || typeof q.sig !== 'string' || !/^\d{1,12}$/.test(q.exp)) return 'invalid';
  const expected = Buffer.from(mac(secret, key, Number(q.exp)));
  const given = Buffer.from(q.sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return Number(q.exp) < now ? 'expired' : 'ok';
}

/** Storage keys are `recordings/<uuid>/<path>`: letters, digits, `-`, `_`, `.` and `/`, no `..`. */
export function isSafeKey(key: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._/-]{0,300}$/.test(key) && !key.split('/').some((p) => p === '..' || p === '');
}
