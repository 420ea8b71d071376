import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LoginRecord } from '../domain/launch-checks';

export interface NewLoginRequest {
  state: string;
  nonce: string;
  issuer: string;
  clientId: string;
  loginHint: string;
  ltiMessageHint: string | null;
  targetLinkUri: string;
  deploymentId: string | null;
  storageTarget: string | null;
  platformOrigin: string;
}

export type StoredLoginRequest = LoginRecord & NewLoginRequest;

interface LoginRequestRow {
  state: string;
  nonce: string;
  issuer: string;
  client_id: string;
  login_hint: string;
  lti_message_hint: string | null;
  target_link_uri: string;
  deployment_id: string | null;
  storage_target: string | null;
  platform_origin: string;
  created_at: Date;
  consumed_at: Date | null;
}

/** The login requests Lectern made (lti_login_request): written at login initiation, consumed once by the launch. */
@Injectable()
export class LoginRequestRepository {
  constructor(private readonly db: DataSource) {}

  async record(r: NewLoginRequest): Promise<void> {
    await this.db.query(
      `INSERT INTO lti_login_request (state, nonce, issuer, client_id, login_hint, lti_message_hint, target_link_uri, deployment_id, storage_target, platform_origin)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        r.state,
        r.nonce,
        r.issuer,
        r.clientId,
        r.loginHint,
        r.ltiMessageHint,
        r.targetLinkUri,
        r.deploymentId,
        r.storageTarget,
        r.platformOrigin,
      ],
    );
  }

  async find(state: string): Promise<StoredLoginRequest | null> {
    const [r]: LoginRequestRow[] = await this.db.query(`SELECT * FROM lti_login_request WHERE state = $1`, [state]);
    if (!r) return null;
    return {
      state: r.state,
      nonce: r.nonce,
      issuer: r.issuer,
      clientId: r.client_id,
      loginHint: r.login_hint,
      ltiMessageHint: r.lti_message_hint,
      targetLinkUri: r.target_link_uri,
      deploymentId: r.deployment_id,
      storageTarget: r.storage_target,
      platformOrigin: r.platform_origin,
      createdAt: new Date(r.created_at),
      consumedAt: r.consumed_at ? new Date(r.consumed_at) : null,
    };
  }

  /** Marks the request used; false when another request used it first (a replay). */
  async consume(state: string): Promise<boolean> {
    // An UPDATE (or DELETE) answers [rows, affected count].
    const res: [unknown[], number] = await this.db.query(
      `UPDATE lti_login_request SET consumed_at = now() WHERE state = $1 AND consumed_at IS NULL`,
      [state],
    );
    return Number(res[1]) === 1;
  }

  /** Drops unused requests once they can no longer be used, and used ones after `keepUsedSeconds` (to answer "already used" meanwhile). */
  async purge(ttlSeconds: number, keepUsedSeconds: number): Promise<number> {
    const res: [unknown[], number] = await this.db.query(
      `DELETE FROM lti_login_request
        WHERE (consumed_at IS NULL AND created_at < now() - make_interval(secs => $1))
           OR (consumed_at IS NOT NULL AND consumed_at < now() - make_interval(secs => $2))`,
      [ttlSeconds, keepUsedSeconds],
    );
    return Number(res[1]);
  }
}
