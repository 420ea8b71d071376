import { Inject, Injectable, Logger } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { AppConfig } from '../config/config';
import {
  assertOutboundUrl,
  outboundFetch,
  OutboundUrlError,
  readCapped,
  type OutboundResponse,
} from '../platform/outbound-http';
import { APP_CONFIG } from '../config/config';
import { REDIS } from '../platform/redis';
import type { PlatformRecord } from '../tenancy/tenancy.service';
import {
  parseRegistrationResponse,
  RegistrationError,
  toolRegistration,
  validateOpenIdConfiguration,
} from './domain/dynamic-registration';
import { LtiService } from './lti.service';

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 256 * 1024;

const INVITE_TTL_SECONDS = 7 * 86400;
const inviteKey = (token: string) => `lti:registration-invite:${token}`;
/** An invite while its registration runs, and after it succeeded (until the invite would have expired). */
const takenKey = (token: string) => `lti:registration-invite:${token}:taken`;

async function readJson(res: OutboundResponse, what: string): Promise<unknown> {
  const text = await readCapped(res, MAX_BYTES).catch(() => {
    throw new RegistrationError([`${what} is too large`]);
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new RegistrationError([`${what} is not JSON`]);
  }
}

/**
 * LTI Dynamic Registration: an LMS admin pastes Lectern's registration URL; the LMS opens it with its
 * OpenID configuration URL and a registration token; Lectern checks the configuration, registers itself
 * with the platform, stores the client id and deployment it got, and closes the registration window.
 */
@Injectable()
export class DynamicRegistrationService {
  private readonly logger = new Logger('DynamicRegistration');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly lti: LtiService,
  ) {}

  /**
   * A registration URL for one LMS, made by the operator (admin console) and used once: registration is
   * not open to anyone who finds /lti/register.
   */
  async createInvite(): Promise<{ url: string; expiresAt: string }> {
    const token = crypto.randomBytes(24).toString('base64url');
    await this.redis.set(inviteKey(token), '1', 'EX', INVITE_TTL_SECONDS);
    return {
      url: `${this.config.publicUrl}/lti/register?invite=${token}`,
      expiresAt: new Date(Date.now() + INVITE_TTL_SECONDS * 1000).toISOString(),
    };
  }

  /**
   * Takes the invite for this registration, atomically (RENAME keeps its expiry): of two registrations
   * racing with one invite exactly one gets it. Put back if the registration fails, kept as "taken" if it succeeds.
   */
  private async takeInvite(invite: string | undefined): Promise<string> {
    const token = invite?.slice(0, 100);
    if (token) {
      try {
        await this.redis.rename(inviteKey(token), takenKey(token));
        return token;
      } catch (e) {
        if (!/no such key/i.test((e as Error).message)) throw e;
      }
      if (await this.redis.exists(takenKey(token))) {
        throw new RegistrationError([
          'this registration URL has already been used (one invite registers one platform), or a registration with it is still running: ask the Lectern operator for a new one (admin console, registration invite)',
        ]);
      }
    }
    throw new RegistrationError([
      'this registration URL is not valid (ask the Lectern operator for a new one: admin console, registration invite)',
    ]);
  }

  private async fetchJson(
    url: string | URL,
    what: string,
    init: { method?: string; headers: Record<string, string>; body?: string },
    unreachable: string,
  ) {
    try {
      return await outboundFetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) }, this.config.outbound);
    } catch (e) {
      if (e instanceof OutboundUrlError) throw new RegistrationError([`${what}: ${e.message}`]);
      throw new RegistrationError([`${unreachable}: ${(e as Error).message}`]);
    }
  }

  async register(
    invite: string | undefined,
    openidConfigurationUrl: string,
    registrationToken: string | undefined,
  ): Promise<PlatformRecord> {
    const token = await this.takeInvite(invite);
    try {
      return await this.registerWithInvite(openidConfigurationUrl, registrationToken);
    } catch (e) {
      // The LMS's configuration can be fixed and the same URL pasted again (the failure page says so).
      await this.redis.rename(takenKey(token), inviteKey(token)).catch(() => undefined);
      throw e;
    }
  }

  private async registerWithInvite(
    openidConfigurationUrl: string,
    registrationToken: string | undefined,
  ): Promise<PlatformRecord> {
    const allowHttp = this.config.outbound.allowHttp;
    let configUrl: URL;
    try {
      configUrl = new URL(openidConfigurationUrl);
    } catch {
      throw new RegistrationError(['openid_configuration is not a URL']);
    }
    if (configUrl.protocol !== 'https:' && !(allowHttp && configUrl.protocol === 'http:')) {
      throw new RegistrationError(['openid_configuration must be an https URL']);
    }
    // Canvas answers its configuration only with the registration token as bearer (canvas-lms
    // doc/api/registration.md); the spec allows it, and platforms that do not need it ignore it.
    const cfgRes = await this.fetchJson(
      configUrl,
      'openid_configuration',
      {
        headers: {
          accept: 'application/json',
          ...(registrationToken ? { authorization: `Bearer ${registrationToken}` } : {}),
        },
      },
      'the OpenID configuration could not be fetched',
    );
    if (!cfgRes.ok) throw new RegistrationError([`the OpenID configuration answered ${cfgRes.status}`]);
    const platform = validateOpenIdConfiguration(
      await readJson(cfgRes, 'the OpenID configuration'),
      configUrl.toString(),
      allowHttp,
    );
    // Lectern fetches the token endpoint and (through ltijs) the JWKS later: refuse private literals now.
    for (const [what, url] of [
      ['token_endpoint', platform.tokenEndpoint],
      ['jwks_uri', platform.jwksUri],
    ] as const) {
      try {
        assertOutboundUrl(url, this.config.outbound);
      } catch (e) {
        throw new RegistrationError([`${what}: ${(e as Error).message}`]);
      }
    }
    const regRes = await this.fetchJson(
      platform.registrationEndpoint,
      'registration_endpoint',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(registrationToken ? { authorization: `Bearer ${registrationToken}` } : {}),
        },
        body: JSON.stringify(toolRegistration(this.config.publicUrl, platform)),
      },
      'the registration endpoint could not be reached',
    );
    if (!regRes.ok) throw new RegistrationError([`the platform refused the registration (${regRes.status})`]);
    const { clientId, deploymentId } = parseRegistrationResponse(await readJson(regRes, 'the registration response'));
    if (await this.lti.provider.getPlatform(platform.issuer, clientId)) {
      throw new RegistrationError([
        `${platform.issuer} with client id ${clientId} is already registered: nothing was changed`,
      ]);
    }
    const record = await this.lti.registerDynamic({
      issuer: platform.issuer,
      clientId,
      name: `${platform.productFamilyCode} (${new URL(platform.issuer).host})`,
      authUrl: platform.authorizationEndpoint,
      tokenUrl: platform.tokenEndpoint,
      jwksUrl: platform.jwksUri,
      deploymentId,
    });
    this.logger.log(
      `registered ${platform.issuer} (client ${clientId}, deployment ${deploymentId ?? 'any'}) by dynamic registration`,
    );
    return record;
  }
}
