import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { LtijsProvider } from 'ltijs';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AppConfig } from '../config/config';
import { DomainEvents } from '../platform/domain-events';
import { APP_CONFIG } from '../config/config';
import { parseInput } from '../platform/validation';
import { PlatformRecord, TenancyService } from '../tenancy/tenancy.service';
import { LtijsPostgresStore } from './infra/ltijs-postgres-store';
import { createLtijsProvider, deployLtijs } from './ltijs-provider';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const registrationInput = z
  .object({
    issuer: httpUrl,
    clientId: z.string().min(1).max(255),
    name: z.string().min(1).max(255).optional(),
    authUrl: httpUrl,
    tokenUrl: httpUrl,
    jwksUrl: httpUrl,
    deployments: z.array(z.string().min(1).max(255)).min(1, 'at least one deployment id is required'),
  })
  .strict();

export type RegistrationInput = z.infer<typeof registrationInput>;

/** Owns the ltijs provider (backed by our Postgres) and platform registration. */
@Injectable()
export class LtiService implements OnModuleInit {
  readonly store: LtijsPostgresStore;
  readonly provider: LtijsProvider;

  constructor(
    db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tenancy: TenancyService,
    private readonly events: DomainEvents,
  ) {
    this.store = new LtijsPostgresStore(db);
    this.provider = createLtijsProvider(config.ltiKey, this.store);
  }

  async onModuleInit(): Promise<void> {
    await deployLtijs(this.provider);
  }

  /**
   * Registers a platform (or updates its endpoints) and its deployments. ltijs keeps the endpoints and
   * generates the tool's key pair for this platform; Lectern keeps the tenant row and deployments.
   */
  async register(raw: unknown): Promise<PlatformRecord> {
    return this.save(parseInput(registrationInput, raw), 'manual');
  }

  /** A registration made by LTI Dynamic Registration; without a deployment id, the platform's deployments are taken as they come. */
  async registerDynamic(
    input: Omit<RegistrationInput, 'deployments'> & { deploymentId: string | null },
  ): Promise<PlatformRecord> {
    const { deploymentId, ...rest } = input;
    return this.save({ ...rest, deployments: deploymentId ? [deploymentId] : [] }, 'dynamic');
  }

  private async save(input: RegistrationInput, source: 'manual' | 'dynamic'): Promise<PlatformRecord> {
    const platform = await this.provider.registerPlatform({
      url: input.issuer,
      name: input.name ?? new URL(input.issuer).host,
      clientId: input.clientId,
      authenticationEndpoint: input.authUrl,
      accesstokenEndpoint: input.tokenUrl,
      authorizationServer: input.tokenUrl,
      authConfig: { method: 'JWK_SET', key: input.jwksUrl },
    });
    const record = await this.tenancy.savePlatform({
      issuer: input.issuer,
      clientId: input.clientId,
      name: input.name ?? (await platform.platformName()),
      ltijsKid: await platform.platformKid(),
      deployments: input.deployments,
      source,
      acceptNewDeployments: source === 'dynamic' && input.deployments.length === 0,
    });
    this.events.emit('platform.registered', { issuer: input.issuer, clientId: input.clientId });
    return record;
  }
}
