import { Inject, Injectable } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { LtijsToken } from 'ltijs';
import { SESSION_TOKENS } from '../platform/auth/session.guard';
import { DomainEvents } from '../platform/domain-events';
import { SessionTokens } from '../platform/auth/session-token';
import { LaunchRejectedError, UnauthenticatedError } from '../platform/domain-error';
import { REDIS } from '../platform/redis';
import { observerLinksFromLaunch } from '../roster/domain/observer-links';
import { LTI, resolveLaunchIdentity } from '../tenancy/domain/launch-identity';
import { TenancyService } from '../tenancy/tenancy.service';
import { DeepLinkingService } from './deep-linking.service';
import type { SessionExchangeResponse } from '../contracts/api';
import type { StoredLoginRequest } from './infra/login-request.repository';

/** A launch that passed Lectern's checks, waiting for ltijs to verify its signature. */
export interface CheckedLaunch {
  idToken: string;
  claims: Record<string, unknown>;
  login: StoredLoginRequest;
}

const CODE_TTL_SECONDS = 120;
const codeKey = (code: string) => `lti:launch-code:${code}`;

/**
 * Completes a verified launch: writes the tenant rows and hands the SPA a one-time code, which it
 * exchanges for its session token (so no token travels in a URL and no cookie is needed).
 */
@Injectable()
export class LaunchService {
  constructor(
    private readonly tenancy: TenancyService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
    private readonly events: DomainEvents,
    private readonly deepLinking: DeepLinkingService,
  ) {}

  async complete(launch: CheckedLaunch, verified: LtijsToken): Promise<{ code: string }> {
    // ltijs verified the same id_token we pre-checked; make sure it is the same person and platform.
    if (verified.iss !== launch.claims.iss || verified.user !== launch.claims.sub) {
      throw new LaunchRejectedError('LAUNCH_MISMATCH', 'The verified launch does not match the one received');
    }
    this.observerLinks(launch);
    const identity = resolveLaunchIdentity(launch.claims, launch.login.clientId);
    const tenant = await this.tenancy.upsertFromLaunch(identity);
    const deepLinkingId = identity.deepLinking
      ? await this.deepLinking.begin(identity.deepLinking, {
          issuer: identity.issuer,
          clientId: identity.clientId,
          deploymentId: identity.deploymentId,
          courseId: tenant.courseId,
          userId: tenant.userId,
        })
      : undefined;
    const { token, expiresAt } = await this.tokens.issue({ ...tenant, ...(deepLinkingId ? { deepLinkingId } : {}) });
    const code = crypto.randomBytes(24).toString('base64url');
    const landing = deepLinkingId ? 'deep-link' : 'lobby';
    await this.redis.set(
      codeKey(code),
      JSON.stringify({
        token,
        expiresAt: expiresAt.toISOString(),
        landing,
        locale: identity.locale,
        returnUrl: identity.returnUrl,
      }),
      'EX',
      CODE_TTL_SECONDS,
    );
    this.events.emit('launch.completed', { courseId: tenant.courseId, userId: tenant.userId, role: tenant.role });
    return { code };
  }

  /**
   * An LMS observer (role Mentor) names the students they observe: the roster records the links (their
   * attendance notes go to the observer too). The observer then enters the class read-only (role observer).
   */
  private observerLinks(launch: CheckedLaunch): void {
    const c = launch.claims;
    const roles = Array.isArray(c[LTI.roles]) ? (c[LTI.roles] as unknown[]).filter((r) => typeof r === 'string') : [];
    const links = observerLinksFromLaunch(c, roles as string[]);
    const context = c[LTI.context] as { id?: unknown } | undefined;
    if (!links.length || typeof context?.id !== 'string' || typeof c[LTI.deploymentId] !== 'string') return;
    this.events.emit('observer.launched', {
      issuer: String(c.iss),
      clientId: launch.login.clientId,
      deploymentId: c[LTI.deploymentId] as string,
      contextId: context.id,
      observerSubject: links[0].observerSubject,
      links,
    });
  }

  /** Trades a launch code for the session token, once. */
  async exchange(code: string): Promise<SessionExchangeResponse> {
    const raw = await this.redis.getdel(codeKey(code));
    if (!raw)
      throw new UnauthenticatedError(
        'LAUNCH_CODE_INVALID',
        'This launch link was already used or has expired: launch again from your course',
      );
    return JSON.parse(raw);
  }
}
