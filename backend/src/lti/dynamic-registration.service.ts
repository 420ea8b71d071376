import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../platform/redis';
import type { PlatformRecord } from '../tenancy/tenancy.service';
import { parseRegistrationResponse, RegistrationError, toolRegistration, validateOpenIdConfiguration } from './domain/dynamic-registration';
import { LtiService } from './lti.service';

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 256 * 1024;

async function readJson(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new RegistrationError([`${what} is too large`]);
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
    private readonly lti: LtiService,
  ) {}

  async register(openidConfigurationUrl: string, registrationToken: string | undefined): Promise<PlatformRecord> {
    const allowHttp = this.config.env !== 'production';
    let configUrl: URL;
    try {
      configUrl = new URL(openidConfigurationUrl);
    } catch {
      throw new RegistrationError(['openid_configuration is not a URL']);
    }
    if (configUrl.protocol !== 'https:' && !(allowHttp && configUrl.protocol === 'http:')) {
      throw new RegistrationError(['openid_configuration must be an https URL']);
    }
    const cfgRes = await fetch(configUrl, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' }).catch(
      (e: Error) => {
        throw new RegistrationError([`the OpenID configuration could not be fetched: ${e.message}`]);
      },
    );
    if (!cfgRes.ok) throw new RegistrationError([`the OpenID configuration answered ${cfgRes.status}`]);
    const platform = validateOpenIdConfiguration(await readJson(cfgRes, 'the OpenID configuration'), configUrl.toString(), allowHttp);

    const regRes = await fetch(platform.registrationEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(registrationToken ? { authorization: `Bearer ${registrationToken}` } : {}),
      },
      body: JSON.stringify(toolRegistration(this.config.publicUrl, platform)),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    }).catch((e: Error) => {
      throw new RegistrationError([`the registration endpoint could not be reached: ${e.message}`]);
    });
    if (!regRes.ok) throw new RegistrationError([`the platform refused the registration (${regRes.status}): ${(await regRes.text()).slice(0, 300)}`]);
    const { clientId, deploymentId } = parseRegistrationResponse(await readJson(regRes, 'the registration response'));
    const record = await this.lti.registerDynamic({
      issuer: platform.issuer,
      clientId,
      name: `${platform.productFamilyCode} (${new URL(platform.issuer).host})`,
      authUrl: platform.authorizationEndpoint,
      tokenUrl: platform.tokenEndpoint,
      jwksUrl: platform.jwksUri,
      deploymentId,
    });
    this.logger.log(`registered ${platform.issuer} (client ${clientId}, deployment ${deploymentId ?? 'any'}) by dynamic registration`);
    return record;
  }
}
