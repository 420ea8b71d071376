import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export type PlatformSource = 'manual' | 'dynamic';

/** A registered platform (LMS) and the deployment ids Lectern knows for it. */
export interface PlatformRecord {
  id: string;
  issuer: string;
  clientId: string;
  name: string;
  ltijsKid: string;
  active: boolean;
  source: PlatformSource;
  acceptNewDeployments: boolean;
  deployments: string[];
}

/** What the operator's console lists: the registration, its deployments (sorted) and its course count. */
export interface PlatformSummary {
  id: string;
  issuer: string;
  clientId: string;
  name: string;
  active: boolean;
  source: PlatformSource;
  acceptNewDeployments: boolean;
  deployments: string[];
  courses: number;
  createdAt: Date;
}

/** How ltijs and the outside world name a platform: its row id, issuer and client id. */
export interface PlatformIdentity {
  id: string;
  issuer: string;
  clientId: string;
}

/** A platform as a launch finds it, with the row of the launch's deployment if there is one. */
export interface LaunchPlatform {
  id: string;
  active: boolean;
  acceptNewDeployments: boolean;
  deploymentRowId: string | null;
}

export interface PlatformUpsert {
  issuer: string;
  clientId: string;
  name: string;
  ltijsKid: string;
  deployments: string[];
  source: PlatformSource;
  acceptNewDeployments: boolean;
}

interface PlatformRow {
  id: string;
  issuer: string;
  client_id: string;
  name: string;
  ltijs_kid: string;
  active: boolean;
  source: PlatformSource;
  accept_new_deployments: boolean;
  deployments: string[];
}

interface PlatformSummaryRow extends Omit<PlatformRow, 'ltijs_kid'> {
  courses: number;
  created_at: Date;
}

interface IdentityRow {
  id: string;
  issuer: string;
  client_id: string;
}

const toIdentity = (r: IdentityRow): PlatformIdentity => ({ id: r.id, issuer: r.issuer, clientId: r.client_id });

/**
 * The tables of platform registrations: lti_platform, lti_deployment, lti_platform_frame_origin.
 * Bound to the DataSource, or to one transaction's EntityManager (TenancyTransaction).
 */
@Injectable()
export class PlatformRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource | EntityManager) {}

  async findByIssuer(issuer: string, clientId: string): Promise<PlatformRecord | null> {
    const [row]: PlatformRow[] = await this.db.query(
      `SELECT p.id, p.issuer, p.client_id, p.name, p.ltijs_kid, p.active, p.source, p.accept_new_deployments,
              coalesce(array_agg(d.deployment_id) FILTER (WHERE d.id IS NOT NULL), '{}') AS deployments
         FROM lti_platform p LEFT JOIN lti_deployment d ON d.platform_id = p.id
        WHERE p.issuer = $1 AND p.client_id = $2 GROUP BY p.id`,
      [issuer, clientId],
    );
    return row
      ? {
          id: row.id,
          issuer: row.issuer,
          clientId: row.client_id,
          name: row.name,
          ltijsKid: row.ltijs_kid,
          active: row.active,
          source: row.source,
          acceptNewDeployments: row.accept_new_deployments,
          deployments: row.deployments,
        }
      : null;
  }

  /** Inserts or updates (and re-enables) a platform and adds its deployments, in one transaction. */
  async upsert(input: PlatformUpsert): Promise<void> {
    await this.db.transaction(async (m) => {
      const [p]: Array<{ id: string }> = await m.query(
        `INSERT INTO lti_platform (issuer, client_id, name, ltijs_kid, source, accept_new_deployments) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (issuer, client_id) DO UPDATE SET name = EXCLUDED.name, ltijs_kid = EXCLUDED.ltijs_kid,
           accept_new_deployments = EXCLUDED.accept_new_deployments, active = true
         RETURNING id`,
        [input.issuer, input.clientId, input.name, input.ltijsKid, input.source, input.acceptNewDeployments],
      );
      for (const d of input.deployments) {
        await m.query(
          `INSERT INTO lti_deployment (platform_id, deployment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [p.id, d],
        );
      }
    });
  }

  async findForLaunch(issuer: string, clientId: string, deploymentId: string): Promise<LaunchPlatform | null> {
    const [row]: Array<{
      id: string;
      active: boolean;
      accept_new_deployments: boolean;
      deployment_row_id: string | null;
    }> = await this.db.query(
      `SELECT p.id, p.active, p.accept_new_deployments, d.id AS deployment_row_id FROM lti_platform p
         LEFT JOIN lti_deployment d ON d.platform_id = p.id AND d.deployment_id = $3
        WHERE p.issuer = $1 AND p.client_id = $2`,
      [issuer, clientId, deploymentId],
    );
    return row
      ? {
          id: row.id,
          active: row.active,
          acceptNewDeployments: row.accept_new_deployments,
          deploymentRowId: row.deployment_row_id,
        }
      : null;
  }

  /** Adds a deployment (or finds it, when a concurrent launch added it first); returns its row id. */
  async addDeployment(platformId: string, deploymentId: string): Promise<string> {
    const [d]: Array<{ id: string }> = await this.db.query(
      `INSERT INTO lti_deployment (platform_id, deployment_id) VALUES ($1, $2)
       ON CONFLICT (platform_id, deployment_id) DO UPDATE SET deployment_id = EXCLUDED.deployment_id RETURNING id`,
      [platformId, deploymentId],
    );
    return d.id;
  }

  async disabledIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(`SELECT id FROM lti_platform WHERE NOT active`);
    return rows.map((r) => r.id);
  }

  /** Every platform, oldest first. */
  async list(): Promise<PlatformSummary[]> {
    const rows: PlatformSummaryRow[] = await this.db.query(
      `SELECT p.id, p.issuer, p.client_id, p.name, p.active, p.source, p.accept_new_deployments, p.created_at,
              coalesce((SELECT array_agg(deployment_id ORDER BY deployment_id) FROM lti_deployment d WHERE d.platform_id = p.id), '{}') AS deployments,
              (SELECT count(*)::int FROM course c WHERE c.platform_id = p.id) AS courses
         FROM lti_platform p ORDER BY p.created_at`,
    );
    return rows.map((r) => ({
      id: r.id,
      issuer: r.issuer,
      clientId: r.client_id,
      name: r.name,
      active: r.active,
      source: r.source,
      acceptNewDeployments: r.accept_new_deployments,
      deployments: r.deployments,
      courses: r.courses,
      createdAt: new Date(r.created_at),
    }));
  }

  /** Every platform (or only the one given), oldest first. */
  async identities(only: string | null): Promise<PlatformIdentity[]> {
    const rows: IdentityRow[] = await this.db.query(
      `SELECT id, issuer, client_id FROM lti_platform WHERE ($1::uuid IS NULL OR id = $1) ORDER BY created_at`,
      [only],
    );
    return rows.map(toIdentity);
  }

  /** Enables or disables a platform; null when there is no such platform. */
  async setActive(id: string, active: boolean): Promise<PlatformIdentity | null> {
    // An UPDATE answers [rows, affected count].
    const [rows]: [IdentityRow[], number] = await this.db.query(
      `UPDATE lti_platform SET active = $2 WHERE id = $1 RETURNING id, issuer, client_id`,
      [id, active],
    );
    return rows[0] ? toIdentity(rows[0]) : null;
  }

  /** Replaces the platform's frame origins, the platform row locked meanwhile; null when there is no such platform. */
  async replaceFrameOrigins(id: string, origins: string[]): Promise<PlatformIdentity | null> {
    return this.db.transaction(async (m) => {
      const [p]: IdentityRow[] = await m.query(
        `SELECT id, issuer, client_id FROM lti_platform WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!p) return null;
      await m.query(`DELETE FROM lti_platform_frame_origin WHERE platform_id = $1`, [id]);
      await m.query(`INSERT INTO lti_platform_frame_origin (platform_id, origin) SELECT $1, unnest($2::text[])`, [
        id,
        origins,
      ]);
      return toIdentity(p);
    });
  }

  /**
   * The URLs the active platforms show Lectern from, unchecked: issuers, authorization endpoints (kept by
   * ltijs in its platform document) and the frame origins the operator added.
   */
  async framingUrls(): Promise<Array<string | null>> {
    const rows: Array<{ url: string | null }> = await this.db.query(
      `SELECT p.issuer AS url FROM lti_platform p WHERE p.active
       UNION SELECT l.doc->>'authEndpoint' FROM lti_platform p JOIN ltijs_platform l ON l.doc->>'kid' = p.ltijs_kid WHERE p.active
       UNION SELECT f.origin FROM lti_platform_frame_origin f JOIN lti_platform p ON p.id = f.platform_id WHERE p.active`,
    );
    return rows.map((r) => r.url);
  }
}
