import { Inject, Injectable } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import { createRemoteJWKSet } from 'jose';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import { REDIS } from '../platform/redis';
import { type DevClientRecord, DevLmsRepository } from './infra/dev-lms.repository';
import { type EmulatedFamily, emulatedPlatformConfiguration } from './domain/lms-registration-emulation';

export const DEV_CLIENT_ID = 'lectern-dev-client';
export const DEV_DEPLOYMENT_ID = 'dev-deployment-1';

/** A tool registered with the dev LMS: the one set up at start, or one registered dynamically. */
export type DevClient = DevClientRecord;

export class DevRegistrationError extends Error {
  constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const LTI_TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

/** The dev LMS's tool registrations and the platform side of LTI Dynamic Registration. Development only. */
@Injectable()
export class DevClients {
  private readonly jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: DevLmsRepository,
  ) {}

  get issuer() {
    return this.config.devPlatform.url;
  }

  /** The registration made at start, with the tool's fixed endpoints. */
  get staticClient(): DevClient {
    const tool = this.config.publicUrl;
    return {
      clientId: DEV_CLIENT_ID,
      deploymentId: DEV_DEPLOYMENT_ID,
      name: 'Lectern (registered at start)',
      loginUrl: `${tool}/lti/login`,
      redirectUris: [`${tool}/lti`],
      jwksUri: `${tool}/lti/keys`,
    };
  }

  async all(): Promise<DevClient[]> {
    return [this.staticClient, ...(await this.store.clients())];
  }

  async get(clientId: string): Promise<DevClient | null> {
    if (clientId === DEV_CLIENT_ID) return this.staticClient;
    return this.store.client(clientId);
  }

  /** The tool's keys, fetched from the JWKS URL it registered. */
  keysOf(client: DevClient) {
    let set = this.jwks.get(client.jwksUri);
    if (!set) {
      set = createRemoteJWKSet(new URL(client.jwksUri), { cooldownDuration: 0 });
      this.jwks.set(client.jwksUri, set);
    }
    return set;
  }

  /**
   * The OpenID configuration: the dev LMS's own, or (`as`) shaped as Canvas's or Moodle's
   * (domain/lms-registration-emulation.ts says what is emulated).
   */
  openIdConfiguration(as?: EmulatedFamily): Record<string, unknown> {
    const i = this.issuer;
    return {
      issuer: i,
      authorization_endpoint: `${i}/auth`,
      token_endpoint: `${i}/token`,
      jwks_uri: `${i}/jwks`,
      registration_endpoint: as ? `${i}/register?as=${as}` : `${i}/register`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public', 'pairwise'],
      claims_supported: ['iss', 'sub', 'aud', 'name', 'given_name', 'family_name', 'email'],
      scopes_supported: [
        'openid',
        'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
        'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
        'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
        'https://purl.imsglobal.org/spec/lti-ags/scope/score',
        'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
      ],
      'https://purl.imsglobal.org/spec/lti-platform-configuration': as
        ? emulatedPlatformConfiguration(as)
        : {
            product_family_code: 'lectern-dev-lms',
            version: '1.0',
            messages_supported: [
              { type: 'LtiResourceLinkRequest' },
              { type: 'LtiDeepLinkingRequest', placements: ['ContentArea'] },
            ],
          },
    };
  }

  /** Canvas answers its OpenID configuration only with the registration token as bearer (doc/api/registration.md). */
  async registrationTokenValid(authorization: string | undefined): Promise<boolean> {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    return !!token && (await this.redis.exists(['devlms', this.issuer, 'reg-token', token].join(':'))) === 1;
  }

  /** The registration a tool sent, as it came (null for the client made at start). */
  registrationOf(clientId: string): Promise<Record<string, unknown> | null> {
    return this.store.registrationOf(clientId);
  }

  /** A registration token for one registration, handed to the tool in the registration URL. */
  async startRegistration(): Promise<string> {
    const token = crypto.randomBytes(24).toString('base64url');
    await this.redis.set(['devlms', this.issuer, 'reg-token', token].join(':'), '1', 'EX', 3600);
    return token;
  }

  /** The registration endpoint: checks the token (once) and the tool's registration, makes a client and a deployment. */
  async register(authorization: string | undefined, body: unknown): Promise<Record<string, unknown>> {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token || !(await this.redis.del(['devlms', this.issuer, 'reg-token', token].join(':')))) {
      throw new DevRegistrationError(401, 'registration token missing, expired or already used');
    }
    const b = (body ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    const url = (v: unknown) => typeof v === 'string' && /^https?:\/\//.test(v);
    if (!url(b.initiate_login_uri)) problems.push('initiate_login_uri');
    if (!Array.isArray(b.redirect_uris) || !b.redirect_uris.every(url)) problems.push('redirect_uris');
    if (!url(b.jwks_uri)) problems.push('jwks_uri');
    if (b.token_endpoint_auth_method !== 'private_key_jwt') problems.push('token_endpoint_auth_method');
    const conf = b[LTI_TOOL_CONFIGURATION] as Record<string, unknown> | undefined;
    if (!conf || !Array.isArray(conf.messages)) problems.push(LTI_TOOL_CONFIGURATION);
    if (problems.length) throw new DevRegistrationError(400, `invalid registration: ${problems.join(', ')}`);
    const clientId = `dyn-${crypto.randomBytes(6).toString('hex')}`;
    const deploymentId = `dyn-dep-${crypto.randomBytes(4).toString('hex')}`;
    await this.store.addClient({
      clientId,
      deploymentId,
      name: String(b.client_name ?? 'Tool').slice(0, 200),
      loginUrl: b.initiate_login_uri as string,
      redirectUris: b.redirect_uris as string[],
      jwksUri: b.jwks_uri as string,
      registration: b,
    });
    return { ...b, client_id: clientId, [LTI_TOOL_CONFIGURATION]: { ...conf, deployment_id: deploymentId } };
  }
}
