import { Inject, Injectable, Logger } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { ConflictError } from '../platform/domain-error';
import { APP_CONFIG, REDIS } from '../platform/redis';
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
    private readonly db: DataSource,
    private readonly lti: LtiService,
    private readonly signer: ToolSigner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Rotates the keys of every platform (or one); returns the new kids. */
  async rotate(platformId?: string): Promise<Array<{ platformId: string; oldKid: string; newKid: string; activatesAt: string }>> {
    if (!(await this.redis.set('lti:key-rotation-lock', '1', 'EX', 120, 'NX'))) {
      throw new ConflictError('ROTATION_IN_PROGRESS', 'A key rotation is already running');
    }
    try {
      return await this.rotateUnlocked(platformId);
    } finally {
      await this.redis.del('lti:key-rotation-lock');
    }
  }

  private async rotateUnlocked(platformId?: string) {
    const activatesAt = new Date(Date.now() + this.config.keyRotationPublishAheadMinutes * 60_000);
    const platforms: Array<{ id: string; issuer: string; client_id: string }> = await this.db.query(
      `SELECT id, issuer, client_id FROM lti_platform WHERE ($1::uuid IS NULL OR id = $1) ORDER BY created_at`,
      [platformId ?? null],
    );
    const out = [];
    for (const p of platforms) {
      const oldKid = await this.signer.currentKid(p.issuer, p.client_id);
      const newKid = crypto.randomBytes(16).toString('hex');
      const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      });
      const index = { kid: newKid, platformUrl: p.issuer, clientId: p.client_id };
      // In ltijs's own key tables, so ltijs's JWKS publishes the new key next to the old one.
      await this.lti.store.Insert(this.config.ltiKey, 'publickey', { key: publicKey, kid: newKid }, index);
      await this.lti.store.Insert(this.config.ltiKey, 'privatekey', { key: privateKey, kid: newKid }, index);
      await this.db.transaction(async (m) => {
        // The old key signs until the new one activates, then retires (and stays published for the grace period).
        await m.query(
          `INSERT INTO tool_signing_key (kid, platform_id, activates_at, retired_at) VALUES ($1, $2, to_timestamp(0), $3)
           ON CONFLICT (kid) DO UPDATE SET retired_at = coalesce(tool_signing_key.retired_at, EXCLUDED.retired_at)`,
          [oldKid, p.id, activatesAt],
        );
        await m.query(`INSERT INTO tool_signing_key (kid, platform_id, activates_at) VALUES ($1, $2, $3)`, [newKid, p.id, activatesAt]);
      });
      this.logger.log(`platform ${p.issuer} (${p.client_id}): key ${newKid} published, signs from ${activatesAt.toISOString()}; ${oldKid} retires then`);
      out.push({ platformId: p.id, oldKid, newKid, activatesAt: activatesAt.toISOString() });
    }
    return out;
  }

  /** Drops keys retired longer ago than the grace period from the JWKS and the key tables. */
  async purgeRetired(): Promise<number> {
    const rows: Array<{ kid: string }> = await this.db.query(
      `SELECT kid FROM tool_signing_key WHERE retired_at < now() - make_interval(hours => $1)`,
      [this.config.keyRotationGraceHours],
    );
    for (const r of rows) {
      await this.lti.store.Delete('publickey', { kid: r.kid });
      await this.lti.store.Delete('privatekey', { kid: r.kid });
      await this.db.query(`DELETE FROM tool_signing_key WHERE kid = $1`, [r.kid]);
    }
    return rows.length;
  }
}
