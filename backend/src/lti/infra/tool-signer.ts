import { Inject, Injectable } from '@nestjs/common';
import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config';
import { TenancyService } from '../../tenancy/tenancy.service';
import { LtiService } from '../lti.service';
import { PlatformServiceError } from './platform-service-error';
import { SigningKeyRepository } from './signing-key.repository';

interface LtijsPlatformView {
  platformAccessTokenEndpoint(): Promise<string>;
  platformAuthorizationServer(): Promise<string | undefined>;
  platformKid(): Promise<string>;
}

/**
 * Signs JWTs as the tool (client assertions, deep-linking responses) with its current key for a platform.
 * The first key is the one ltijs made at registration; after a rotation, the newest key signs while the
 * older ones stay published in the JWKS for a grace period, so platforms never see an unknown key.
 */
@Injectable()
export class ToolSigner {
  constructor(
    private readonly lti: LtiService,
    private readonly tenancy: TenancyService,
    private readonly keys: SigningKeyRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async platformInfo(issuer: string, clientId: string): Promise<LtijsPlatformView> {
    const platform = await this.lti.provider.getPlatform(issuer, clientId);
    if (!platform) throw new PlatformServiceError('PLATFORM_UNKNOWN', `Platform ${issuer} is not registered`, false);
    return platform as unknown as LtijsPlatformView;
  }

  /** The kid that signs for this platform now. */
  async currentKid(issuer: string, clientId: string): Promise<string> {
    const platform = await this.tenancy.findPlatform(issuer, clientId);
    const rotated = platform ? await this.keys.currentKid(platform.id) : null;
    return rotated ?? (await (await this.platformInfo(issuer, clientId)).platformKid());
  }

  async sign(issuer: string, clientId: string, claims: Record<string, unknown>, expiresIn = '5m'): Promise<string> {
    const kid = await this.currentKid(issuer, clientId);
    const found = (await this.lti.store.Get(this.config.ltiKey, 'privatekey', { kid })) as
      Array<{ key: string }> | false;
    if (!found) throw new PlatformServiceError('TOOL_KEY_MISSING', `The tool's signing key ${kid} is missing`, false);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(crypto.createPrivateKey(found[0].key));
  }
}
