import { Injectable, Logger } from '@nestjs/common';
import type { AdminPlatformView, RegistrationInviteView } from '../contracts/api';
import { DynamicRegistrationService } from '../lti/dynamic-registration.service';
import { KeyRotationService } from '../lti/key-rotation.service';
import { LtiService } from '../lti/lti.service';
import { SessionRevocation } from '../platform/auth/session-revocation';
import { DomainEvents } from '../platform/domain-events';
import { TenancyService } from '../tenancy/tenancy.service';
import { PlatformHealthRepository } from './infra/platform-health.repository';

/** The tool operator's console: registered platforms (disable, enable, register by hand, frame origins) and key rotation. */
@Injectable()
export class AdminService {
  /** The operator's changes to who may launch, one info line each (dynamic registration and key rotation log their own). */
  private readonly audit = new Logger('AdminAudit');

  constructor(
    private readonly tenancy: TenancyService,
    private readonly lti: LtiService,
    private readonly keys: KeyRotationService,
    private readonly registration: DynamicRegistrationService,
    private readonly events: DomainEvents,
    private readonly revocation: SessionRevocation,
    private readonly health: PlatformHealthRepository,
  ) {}

  /** A one-time registration URL to paste into one LMS (LTI Dynamic Registration). */
  createInvite(): Promise<RegistrationInviteView> {
    return this.registration.createInvite();
  }

  async platforms(): Promise<AdminPlatformView[]> {
    const [list, health] = await Promise.all([this.tenancy.listPlatforms(), this.health.all()]);
    return list.map((p) => {
      const h = health.get(p.id);
      return {
        id: p.id,
        issuer: p.issuer,
        clientId: p.clientId,
        name: p.name,
        active: p.active,
        source: p.source,
        acceptNewDeployments: p.acceptNewDeployments,
        deployments: p.deployments,
        courses: p.courses,
        createdAt: p.createdAt.toISOString(),
        lastLaunchAt: h?.lastLaunchAt?.toISOString() ?? null,
        grades: {
          pending: h?.pending ?? 0,
          failed: h?.failed ?? 0,
          lastFailure: h?.lastFailure ? { reason: h.lastFailure.reason, at: h.lastFailure.at.toISOString() } : null,
        },
      };
    });
  }

  async register(body: unknown) {
    const platform = await this.lti.register(body);
    this.audit.log(`platform ${platform.issuer} (${platform.clientId}) registered by hand by the operator`, {
      platformId: platform.id,
    });
    return platform;
  }

  async setActive(platformId: string, active: boolean): Promise<{ id: string; active: boolean }> {
    const platform = await this.tenancy.setPlatformActive(platformId, active);
    // ltijs refuses logins from an inactive platform at its login route too.
    const p = await this.lti.provider.getPlatform(platform.issuer, platform.clientId);
    if (p) await p.platformActive(active);
    // A disabled platform's sessions end now: API calls refused, open sockets closed on every instance.
    await this.revocation.platformActiveChanged(platformId, active);
    this.audit.log(
      `platform ${platform.issuer} (${platform.clientId}) ${active ? 'enabled' : 'disabled'} by the operator`,
      {
        platformId,
      },
    );
    return { id: platformId, active };
  }

  /** Replaces the platform's frame origins; they join the CSP's frame-ancestors (on every instance). */
  async setFrameOrigins(platformId: string, origins: string[]): Promise<{ id: string; frameOrigins: string[] }> {
    const platform = await this.tenancy.setFrameOrigins(platformId, origins);
    this.events.emit('platform.registered', { issuer: platform.issuer, clientId: platform.clientId });
    this.audit.log(
      `platform ${platform.issuer} (${platform.clientId}) frame origins set to [${origins.join(', ')}] by the operator`,
      { platformId },
    );
    return { id: platformId, frameOrigins: origins };
  }

  async rotateKeys(platformId?: string) {
    return { rotated: await this.keys.rotate(platformId) };
  }
}
