import { Injectable } from '@nestjs/common';
import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import { LtiService } from '../lti.service';
import { PlatformServiceError } from './platform-service-error';

/** Signs JWTs as the tool, with the key pair ltijs made for a platform (client assertions, deep-linking responses). */
@Injectable()
export class ToolSigner {
  constructor(private readonly lti: LtiService) {}

  async platformInfo(issuer: string, clientId: string) {
    const platform = await this.lti.provider.getPlatform(issuer, clientId);
    if (!platform) throw new PlatformServiceError('PLATFORM_UNKNOWN', `Platform ${issuer} is not registered`, false);
    return platform as unknown as {
      platformAccessTokenEndpoint(): Promise<string>;
      platformAuthorizationServer(): Promise<string | undefined>;
      platformPrivateKey(): Promise<string>;
      platformKid(): Promise<string>;
    };
  }

  async sign(issuer: string, clientId: string, claims: Record<string, unknown>, expiresIn = '5m'): Promise<string> {
    const p = await this.platformInfo(issuer, clientId);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: await p.platformKid() })
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(crypto.createPrivateKey(await p.platformPrivateKey()));
  }
}
