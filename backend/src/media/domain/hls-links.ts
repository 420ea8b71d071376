import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The broadcast's links: `/hls/<session>/<expires>/<signature>/<file>`. The signature covers the class
 * and the expiry, so one signed prefix reaches the playlist and every segment it names (relative URIs)
 * and nothing of another class. Its form is nginx's secure_link module's (base64url of
 * MD5(`<expires><session> <secret>`)), so nginx or a CDN with the same check serves the files without
 * Node (README, "Big lectures"). The secret is at the end of what is hashed: MD5's length extension,
 * which needs the secret first, does not apply; forging a link still needs the secret.
 */
export const HLS_PREFIX = '/hls';
export const LIVE_PLAYLIST = 'live.m3u8';

export function hlsSignature(sessionId: string, expires: number, secret: string): string {
  return createHash('md5').update(`${expires}${sessionId} ${secret}`).digest('base64url');
}

/** The link prefix (ends with a slash) a member of the class is given, valid until `expires` (seconds since the epoch). */
export function hlsLinkPrefix(sessionId: string, expires: number, secret: string): string {
  return `${HLS_PREFIX}/${sessionId}/${expires}/${hlsSignature(sessionId, expires, secret)}/`;
}

export type LinkCheck = 'ok' | 'expired' | 'forged';

/** Checks a link's parts: cheap (one MD5), constant-time on the signature. */
export function checkHlsLink(
  sessionId: string,
  expires: string,
  signature: string,
  secret: string,
  nowSeconds: number,
): LinkCheck {
  if (!/^\d{1,12}$/.test(expires)) return 'forged';
  const want = Buffer.from(hlsSignature(sessionId, Number(expires), secret));
  const got = Buffer.from(signature);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'forged';
  return Number(expires) < nowSeconds ? 'expired' : 'ok';
}

/** The cache header a CDN honours: the playlist changes every segment, segments never change. */
export function hlsCacheControl(file: string, segmentSeconds: number): string {
  if (file.endsWith('.m3u8')) return `public, max-age=${Math.max(1, Math.floor(segmentSeconds / 2))}`;
  return 'public, max-age=31536000, immutable';
}

export function hlsContentType(file: string): string | null {
  if (file.endsWith('.m3u8')) return 'application/vnd.apple.mpegurl';
  if (file.endsWith('.m4s')) return 'video/iso.segment';
  if (file.endsWith('.mp4')) return 'video/mp4';
  return null;
}

/**
 * A link's expiry: at least `ttlSeconds` away, rounded up to the next whole `bucketSeconds`, so every
 * member of a class given a link within the same bucket gets the same URL (a CDN caches one copy of each
 * segment, not one per viewer).
 */
export function hlsLinkExpiry(nowSeconds: number, ttlSeconds: number, bucketSeconds = 900): number {
  return Math.ceil((nowSeconds + ttlSeconds) / bucketSeconds) * bucketSeconds;
}
