import { Inject, Injectable, Logger } from '@nestjs/common';
import crypto from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../platform/redis';
import { ToolSigner } from './infra/tool-signer';
import { LtiService } from './lti.service';

/**
 * Rotates the tool's signing keys: a new key pair per platform signs from now on; the old public key stays
 * in the JWKS for the grace period (config KEY_ROTATION_GRACE_HOURS), then the maintenance job removes it.
 */
@Injectable()
export class KeyRotationService {
  private readonly logger = new Logger('KeyRotation');

  constructor(
    private readonly db: DataSource,
    private readonly lti: LtiService,
    private readonly signer: ToolSigner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Rotates the keys of every platform (or one); returns the new kids. */
  async rotate(platformId?: string): Promise<Array<{ platformId: string; oldKid: string; newKid: string }>> {
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
        await m.query(
          `INSERT INTO tool_signing_key (kid, platform_id, retired_at) VALUES ($1, $2, now())
           ON CONFLICT (kid) DO UPDATE SET retired_at = coalesce(tool_signing_key.retired_at, now())`,
          [oldKid, p.id],
        );
        await m.query(`INSERT INTO tool_signing_key (kid, platform_id) VALUES ($1, $2)`, [newKid, p.id]);
      });
      this.logger.log(`platform ${p.issuer} (${p.client_id}): key ${oldKid} retiring, ${newKid} signs`);
      out.push({ platformId: p.id, oldKid, newKid });
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
