import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import crypto, { webcrypto } from 'node:crypto';
type CryptoKey = webcrypto.CryptoKey;
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import { LtiService } from '../lti/lti.service';
import { LTI } from '../tenancy/domain/launch-identity';
import { DevLaunch, DevLaunchTarget, devServiceUrls, LIS_ROLES, observedBy } from './domain/dev-lms-fixture';

import { DEV_CLIENT_ID, DEV_DEPLOYMENT_ID, DevClient } from './dev-clients';
import { DevLmsRepository } from './infra/dev-lms.repository';

export { DEV_CLIENT_ID, DEV_DEPLOYMENT_ID };

type Key = { kid: string; privateKey: CryptoKey; publicJwk: JWK };

/**
 * A small but real LTI 1.3 platform for local use and tests: its own RS256 keys (kept in Postgres),
 * a JWKS, an OIDC authorization endpoint that answers with a signed id_token, registered with the
 * tool at start. Never loaded in production (see AppModule and config).
 */
@Injectable()
export class DevPlatformService implements OnModuleInit {
  private readonly logger = new Logger('DevPlatform');
  private key?: Key;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: DevLmsRepository,
    private readonly lti: LtiService,
  ) {}

  get issuer(): string {
    return this.config.devPlatform.url;
  }

  get toolLoginUrl(): string {
    return `${this.config.publicUrl}/lti/login`;
  }

  async onModuleInit(): Promise<void> {
    // Several instances may start at once on a fresh database: one at a time makes the key and registers.
    await this.store.withInitLock(async () => {
      this.key = await this.loadOrCreateKey();
      await this.registerWithTool(this.issuer);
    });
    this.logger.log(`dev LMS platform ${this.issuer} registered with the tool (client ${DEV_CLIENT_ID})`);
  }

  /** Registers this platform with the tool under the given issuer (tests also register a second one). */
  registerWithTool(issuer: string) {
    return this.lti.register({
      issuer,
      clientId: DEV_CLIENT_ID,
      name: issuer === this.issuer ? 'Lectern dev LMS' : `Lectern dev LMS (${new URL(issuer).pathname})`,
      authUrl: `${this.issuer}/auth`,
      tokenUrl: `${this.issuer}/token`,
      jwksUrl: `${this.issuer}/jwks`,
      deployments: [DEV_DEPLOYMENT_ID],
    });
  }

  private async loadOrCreateKey(): Promise<Key> {
    // The oldest key: every instance signs with the same one.
    const stored = await this.store.oldestKey();
    if (stored) {
      return {
        kid: stored.kid,
        privateKey: (await importJWK(stored.privateJwk, 'RS256')) as CryptoKey,
        publicJwk: stored.publicJwk,
      };
    }
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const kid = crypto.randomBytes(8).toString('hex');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    await this.store.addKey({ kid, privateJwk: await exportJWK(privateKey), publicJwk });
    return this.loadOrCreateKey();
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.requireKey().publicJwk] };
  }

  private requireKey(): Key {
    if (!this.key) throw new Error('dev platform keys are not loaded yet');
    return this.key;
  }

  /** Signs any claims as this platform (tests use it to build launches, good and bad). */
  async sign(claims: Record<string, unknown>, header: { kid?: string } = {}): Promise<string> {
    const key = this.requireKey();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: header.kid ?? key.kid })
      .sign(key.privateKey);
  }

  /** The lti_message_hint: which launch the login is for, signed so the auth endpoint can trust it. */
  async messageHint(launch: DevLaunch, presentation: 'iframe' | 'window', clientId: string): Promise<string> {
    return new SignJWT({
      c: launch.course.id,
      u: launch.user,
      r: launch.role,
      p: presentation,
      t: launch.target ?? { kind: 'default' },
      cl: clientId,
      ...(launch.locale ? { lo: launch.locale } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.requireKey().kid })
      .setExpirationTime('10m')
      .sign(this.requireKey().privateKey);
  }

  async readMessageHint(hint: string): Promise<{
    courseId: string;
    user: DevLaunch['user'];
    role: DevLaunch['role'];
    presentation: 'iframe' | 'window';
    target: DevLaunchTarget;
    clientId: string;
    locale?: string;
  }> {
    const { payload } = await jwtVerify(hint, (await importJWK(this.requireKey().publicJwk, 'RS256')) as CryptoKey, {
      algorithms: ['RS256'],
    });
    return {
      courseId: payload.c as string,
      user: payload.u as DevLaunch['user'],
      role: payload.r as DevLaunch['role'],
      presentation: payload.p as 'iframe' | 'window',
      target: (payload.t as DevLaunchTarget) ?? { kind: 'default' },
      clientId: payload.cl as string,
      locale: typeof payload.lo === 'string' ? payload.lo : undefined,
    };
  }

  /** The id_token claims of a resource link launch, to the LTI 1.3 core spec. */
  launchClaims(
    launch: DevLaunch,
    nonce: string,
    presentation: 'iframe' | 'window',
    client: Pick<DevClient, 'clientId' | 'deploymentId' | 'redirectUris'>,
  ): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const target = launch.target ?? { kind: 'default' };
    const link =
      target.kind === 'link'
        ? target.link
        : target.kind === 'default'
          ? {
              id: launch.course.resourceLink.id,
              title: launch.course.resourceLink.title,
              custom: {},
              lineItemUrl: null,
            }
          : null;
    const messageClaims: Record<string, unknown> = link
      ? {
          [LTI.messageType]: 'LtiResourceLinkRequest',
          [LTI.resourceLink]: { id: link.id, title: link.title },
          ...(Object.keys(link.custom).length ? { [LTI.custom]: link.custom } : {}),
        }
      : {
          [LTI.messageType]: 'LtiDeepLinkingRequest',
          [LTI.deepLinkingSettings]: {
            deep_link_return_url: `${this.issuer}/deep-link-return`,
            accept_types: ['ltiResourceLink'],
            accept_presentation_document_targets: ['iframe', 'window'],
            accept_multiple: false,
            auto_create: true,
            title: 'Lectern classroom',
            data: (target as { data: string }).data,
          },
        };
    return {
      ...messageClaims,
      iss: this.issuer,
      aud: client.clientId,
      azp: client.clientId,
      sub: launch.user.id,
      iat: now,
      exp: now + 300,
      nonce,
      name: launch.user.name,
      given_name: launch.user.givenName,
      family_name: launch.user.familyName,
      email: launch.user.email,
      [LTI.version]: '1.3.0',
      [LTI.deploymentId]: client.deploymentId,
      [LTI.targetLinkUri]: client.redirectUris[0],
      [LTI.context]: {
        id: launch.course.id,
        label: launch.course.label,
        title: launch.course.title,
        type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'],
      },
      [LTI.roles]: LIS_ROLES[launch.role],
      ...(launch.role === 'Mentor'
        ? { 'https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor': observedBy(launch.course, launch.user.id) }
        : {}),
      [LTI.toolPlatform]: { guid: 'lectern-dev-lms', name: 'Lectern dev LMS', product_family_code: 'lectern-dev' },
      [LTI.launchPresentation]: {
        document_target: presentation,
        return_url: `${this.issuer}/?course=${launch.course.id}`,
        ...(launch.locale ? { locale: launch.locale } : {}),
      },
      [LTI.agsEndpoint]: {
        scope: [
          'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
          'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
          'https://purl.imsglobal.org/spec/lti-ags/scope/score',
        ],
        lineitems: devServiceUrls(this.issuer, launch.course.id).lineItems,
        ...(link?.lineItemUrl ? { lineitem: link.lineItemUrl } : {}),
      },
      [LTI.nrps]: {
        context_memberships_url: devServiceUrls(this.issuer, launch.course.id).memberships,
        service_versions: ['2.0'],
      },
    };
  }
}
