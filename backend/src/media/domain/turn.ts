import { createHmac } from 'node:crypto';

/**
 * Ephemeral TURN credentials in coturn's REST-API scheme (`use-auth-secret` + `static-auth-secret`):
 * the username is "<expiry unix seconds>:<user>", the password base64(HMAC-SHA1(secret, username)).
 * coturn checks the HMAC and the expiry itself; nothing is stored.
 */
export function turnCredentials(
  secret: string,
  userId: string,
  ttlSeconds: number,
  nowMs: number,
): { username: string; credential: string; expiresAt: number } {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAt}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}
