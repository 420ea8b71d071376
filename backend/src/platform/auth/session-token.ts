import { jwtVerify, SignJWT } from 'jose';
import type { CourseRole } from '../../tenancy/domain/role-mapping';
import { NotFoundError, UnauthenticatedError } from '../domain-error';

/**
 * The SPA's own short-lived session token (never the id_token): who the person is, in which tenant
 * (platform + deployment + course) and activity, with which role. Sent as a Bearer token on API
 * calls (and later on the socket), so the classroom works without any cookie inside an LMS iframe.
 */
export interface SessionClaims {
  userId: string;
  platformId: string;
  deploymentId: string;
  courseId: string;
  /** The classroom launched; null in a deep-linking session. */
  activityId: string | null;
  role: CourseRole;
  name: string;
  /** Set in a deep-linking session: the pending deep-linking request it answers. */
  deepLinkingId?: string;
  /** Set for a guest (role `guest`): the one class (live session id) the invite link let them into. */
  guestOf?: string;
  /** When the token expires (ms since epoch), as read from a verified token. */
  expiresAt?: number;
  /**
   * When the person launched from the LMS (ms since epoch). Set at the launch and carried unchanged by
   * every refresh: the session ends at launchedAt + the maximum age, however often it is refreshed.
   */
  launchedAt?: number;
}

/** Twelve hours: a school day, not a week of silently renewed access. */
export const DEFAULT_SESSION_MAX_AGE_SECONDS = 12 * 3600;

/** Tolerated clock skew between instances for a launch time "in the future". */
const SKEW_MS = 60_000;

/** When a session launched at `launchedAt` ends for good (ms since epoch). */
export function sessionEndsAt(session: Pick<SessionClaims, 'launchedAt'>, maxAgeSeconds: number): number {
  return (session.launchedAt ?? 0) + maxAgeSeconds * 1000;
}

/** Whether a session is past its absolute lifetime (claims from `verify` always carry their launch time). */
export function sessionLifetimeOver(
  session: Pick<SessionClaims, 'launchedAt'>,
  maxAgeSeconds: number,
  now = Date.now(),
): boolean {
  return session.launchedAt !== undefined && sessionEndsAt(session, maxAgeSeconds) <= now;
}

const lifetimeOver = () =>
  new UnauthenticatedError(
    'SESSION_EXPIRED',
    'Your session has reached its maximum length: launch Lectern again from your course',
  );

const AUDIENCE = 'lectern-spa';

export class SessionTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
    /** The absolute lifetime of a session from its launch; no refresh goes past it. */
    readonly maxAgeSeconds: number = DEFAULT_SESSION_MAX_AGE_SECONDS,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /**
   * A token for these claims. Without `launchedAt` this is a launch (it starts now); with it, a refresh:
   * the launch time is kept and the token never outlives launchedAt + maxAge (SESSION_EXPIRED past it).
   */
  async issue(claims: SessionClaims): Promise<{ token: string; expiresAt: Date; endsAt: Date }> {
    const now = Date.now();
    const { expiresAt: _ignored, launchedAt = now, ...rest } = claims;
    void _ignored;
    claims = rest;
    if (launchedAt > now + SKEW_MS) throw new UnauthenticatedError('SESSION_INVALID', 'The session token is not valid');
    const endsAt = sessionEndsAt({ launchedAt }, this.maxAgeSeconds);
    if (endsAt <= now) throw lifetimeOver();
    const expiresAt = new Date(Math.min(now + this.ttlSeconds * 1000, endsAt));
    const token = await new SignJWT({
      plt: claims.platformId,
      dep: claims.deploymentId,
      crs: claims.courseId,
      act: claims.activityId,
      role: claims.role,
      name: claims.name,
      ...(claims.deepLinkingId ? { dlk: claims.deepLinkingId } : {}),
      ...(claims.guestOf ? { gof: claims.guestOf } : {}),
      lau: launchedAt,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(this.issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt, endsAt: new Date(endsAt) };
  }

  /** The claims of a valid token; SESSION_EXPIRED past its expiry or past its session's absolute lifetime. */
  async verify(token: string): Promise<SessionClaims> {
    let claims: SessionClaims;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: this.issuer,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      const p = payload as Record<string, unknown>;
      for (const f of ['sub', 'plt', 'dep', 'crs', 'role', 'name']) {
        if (typeof p[f] !== 'string') throw new Error(`missing ${f}`);
      }
      if (p.act !== null && typeof p.act !== 'string') throw new Error('bad act');
      // A guest's token names its one class; only a guest's does.
      if ((p.role === 'guest') !== (typeof p.gof === 'string')) throw new Error('bad guest');
      // A token from before launch times were carried counts from its own issue time.
      const launchedAt = typeof p.lau === 'number' ? p.lau : typeof p.iat === 'number' ? p.iat * 1000 : undefined;
      if (launchedAt === undefined || !Number.isFinite(launchedAt) || launchedAt > Date.now() + SKEW_MS)
        throw new Error('bad lau');
      claims = {
        userId: p.sub as string,
        platformId: p.plt as string,
        deploymentId: p.dep as string,
        courseId: p.crs as string,
        activityId: (p.act as string | null) ?? null,
        role: p.role as CourseRole,
        name: p.name as string,
        ...(typeof p.dlk === 'string' ? { deepLinkingId: p.dlk } : {}),
        ...(typeof p.gof === 'string' ? { guestOf: p.gof } : {}),
        ...(typeof p.exp === 'number' ? { expiresAt: p.exp * 1000 } : {}),
        launchedAt,
      };
    } catch (e) {
      const expired = e instanceof Error && 'code' in e && (e as { code: string }).code === 'ERR_JWT_EXPIRED';
      throw expired
        ? new UnauthenticatedError('SESSION_EXPIRED', 'Your session has expired: launch Lectern again from your course')
        : new UnauthenticatedError('SESSION_INVALID', 'The session token is not valid');
    }
    if (sessionLifetimeOver(claims, this.maxAgeSeconds)) throw lifetimeOver();
    return claims;
  }
}

/** The classroom of a session; a deep-linking session has none. */
export function classroomOf(session: SessionClaims): string {
  if (!session.activityId) throw new NotFoundError('NO_CLASSROOM', 'This session is not in a classroom');
  return session.activityId;
}
