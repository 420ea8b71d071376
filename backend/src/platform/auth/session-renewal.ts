import { ForbiddenError } from '../domain-error';
import type { SessionClaims } from './session-token';

/** What a socket's session must keep across a renewal: who, where, as what, and from which launch. */
const SAME: ReadonlyArray<keyof SessionClaims> = [
  'userId',
  'platformId',
  'deploymentId',
  'courseId',
  'activityId',
  'role',
  'guestOf',
  'launchedAt',
];

/**
 * The session a socket runs on after `session:renew`: the renewing token's claims (a later expiry), only
 * when they are the same session as the socket's (a refresh keeps the launch time, so a token of another
 * launch, another person, course, classroom or role is refused). Pure.
 */
export function renewedSession(current: SessionClaims, next: SessionClaims): SessionClaims {
  for (const field of SAME)
    if (current[field] !== next[field])
      throw new ForbiddenError('SESSION_MISMATCH', 'That token belongs to another session than this connection');
  if ((next.expiresAt ?? 0) < (current.expiresAt ?? 0))
    throw new ForbiddenError('SESSION_MISMATCH', 'That token expires before the one this connection has');
  return next;
}

/** Whether a socket's session token has expired unrenewed (claims from `verify` carry their expiry). */
export function sessionTokenExpired(session: Pick<SessionClaims, 'expiresAt'>, now = Date.now()): boolean {
  return session.expiresAt !== undefined && session.expiresAt <= now;
}
