import { Inject, Injectable, Logger } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { AppConfig } from '../config/config';
import { ConflictError } from '../platform/domain-error';
import { APP_CONFIG } from '../config/config';
import { REDIS } from '../platform/redis';
import { TenancyService } from '../tenancy/tenancy.service';
import { SigningKeyRepository } from './infra/signing-key.repository';
import { ToolSigner } from './infra/tool-signer';
import { LtiService } from './lti.service';

/**
 * Rotates the tool's signing keys: a new key pair per platform is published in the JWKS at once and signs
 * after KEY_ROTATION_PUBLISH_AHEAD_MINUTES (so platforms that cache the JWKS already know it); the old key
 * stays published for KEY_ROTATION_GRACE_HOURS after that, then the maintenance job removes it.
 */
@Injectable()
export class KeyRotationService {
  private readonly logger = new Logger('KeyRotation');

  constructor(
    private readonly tenancy: TenancyService,
    private readonly keys: SigningKeyRepository,
    private readonly lti: LtiService,
    private readonly signer: ToolSigner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Rotates the keys of every platform (or one); returns the new kids. */
  async rotate(
    platformId?: string,
  ): Promise<Array<{ platformId: string; oldKid: string; newKid: string; activatesAt: string }>> {
    // One rotation at a time in this deployment (QUEUE_PREFIX: another deployment on the same Redis has its own).
    const lock = `${this.config.queuePrefix}:lti:key-rotation-lock`;
    if (!(await this.redis.set(lock, '1', 'EX', 120, 'NX'))) {
      throw new ConflictError('ROTATION_IN_PROGRESS', 'A key rotation is already running');
    }
    try {
      return await this.rotateUnlocked(platformId);
    } finally {
      await this.redis.del(lock);
    }
  }

  private async rotateUnlocked(platformId?: string) {
    const activatesAt = new Date(Date.now() + this.config.keyRotationPublishAheadMinutes * 60_000);
    const platforms = await this.tenancy.platformIdentities(platformId);
    const out = [];
    for (const p of platforms) {
      const oldKid = await this.signer.currentKid(p.issuer, p.clientId);
      const newKid = crypto.randomBytes(16).toString('hex');
      const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      });
      const index = { kid: newKid, platformUrl: p.issuer, clientId: p.clientId };
      // In ltijs's own key tables, so ltijs's JWKS publishes the new key next to the old one.
      await this.lti.store.Insert(this.config.ltiKey, 'publickey', { key: publicKey, kid: newKid }, index);
      await this.lti.store.Insert(this.config.ltiKey, 'privatekey', { key: privateKey, kid: newKid }, index);
      // The old key signs until the new one activates, then retires (and stays published for the grace period).
      await this.keys.scheduleRotation(p.id, oldKid, newKid, activatesAt);
      this.logger.log(
        `platform ${p.issuer} (${p.clientId}): key ${newKid} published, signs from ${activatesAt.toISOString()}; ${oldKid} retires then`,
      );
      out.push({ platformId: p.id, oldKid, newKid, activatesAt: activatesAt.toISOString() });
    }
    return out;
  }

  /** Drops keys retired longer ago than the grace period from the JWKS and the key tables. */
  async purgeRetired(): Promise<number> {
    const kids = await this.keys.retiredLongerThan(this.config.keyRotationGraceHours);
    for (const kid of kids) {
      await this.lti.store.Delete('publickey', { kid });
      await this.lti.store.Delete('privatekey', { kid });
      await this.keys.delete(kid);
    }
    return kids.length;
  }
}
