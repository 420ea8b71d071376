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
  /** When the token expires (ms since epoch), as read from a verified token. */
  expiresAt?: number;
}

const AUDIENCE = 'lectern-spa';

export class SessionTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(claims: SessionClaims): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    const { expiresAt: _ignored, ...rest } = claims;
    void _ignored;
    claims = rest;
    const token = await new SignJWT({
      plt: claims.platformId,
      dep: claims.deploymentId,
      crs: claims.courseId,
      act: claims.activityId,
      role: claims.role,
      name: claims.name,
      ...(claims.deepLinkingId ? { dlk: claims.deepLinkingId } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(this.issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  async verify(token: string): Promise<SessionClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: this.issuer, audience: AUDIENCE, algorithms: ['HS256'] });
      const p = payload as Record<string, unknown>;
      for (const f of ['sub', 'plt', 'dep', 'crs', 'role', 'name']) {
        if (typeof p[f] !== 'string') throw new Error(`missing ${f}`);
      }
      if (p.act !== null && typeof p.act !== 'string') throw new Error('bad act');
      return {
        userId: p.sub as string,
        platformId: p.plt as string,
        deploymentId: p.dep as string,
        courseId: p.crs as string,
        activityId: (p.act as string | null) ?? null,
        role: p.role as CourseRole,
        name: p.name as string,
        ...(typeof p.dlk === 'string' ? { deepLinkingId: p.dlk } : {}),
        ...(typeof p.exp === 'number' ? { expiresAt: p.exp * 1000 } : {}),
      };
    } catch (e) {
      const expired = e instanceof Error && 'code' in e && (e as { code: string }).code === 'ERR_JWT_EXPIRED';
      throw expired
        ? new UnauthenticatedError('SESSION_EXPIRED', 'Your session has expired: launch Lectern again from your course')
        : new UnauthenticatedError('SESSION_INVALID', 'The session token is not valid');
    }
  }
}

/** The classroom of a session; a deep-linking session has none. */
export function classroomOf(session: SessionClaims): string {
  if (!session.activityId) throw new NotFoundError('NO_CLASSROOM', 'This session is not in a classroom');
  return session.activityId;
}
