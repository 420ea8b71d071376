import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { DataSource } from 'typeorm';

/**
 * The dev LMS's rows are handed out as stored (snake_case): the dev LMS's pages and the specs that read
 * its gradebook look at them as a platform's own storage, not as Lectern's model.
 */
export interface DevLineItem {
  id: number;
  course_id: string;
  label: string;
  score_maximum: string;
  resource_link_id: string | null;
  resource_id: string | null;
  tag: string | null;
}

export interface DevLinkRow {
  id: number;
  course_id: string;
  title: string;
  text: string | null;
  custom: Record<string, string>;
  lineitem_id: number | null;
}

/** The latest score of a user on a line item (the gradebook). */
export interface DevScoreRow {
  id: number;
  lineitem_id: number;
  user_id: string;
  score_given: string | null;
  score_maximum: string | null;
  activity_progress: string;
  grading_progress: string;
  comment: string | null;
  timestamp: Date;
  received_at: Date;
}

export interface DevKeyRecord {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A tool registered with the dev LMS by Dynamic Registration. */
export interface DevClientRecord {
  clientId: string;
  deploymentId: string;
  name: string;
  loginUrl: string;
  redirectUris: string[];
  jwksUri: string;
}

export interface NewDevClient extends DevClientRecord {
  /** The tool's registration request, kept as it came. */
  registration: Record<string, unknown>;
}

export interface NewDevScore {
  lineItemId: number;
  userId: string;
  scoreGiven: number | null;
  scoreMaximum: number | null;
  activityProgress: string;
  gradingProgress: string;
  comment: string | null;
  timestamp: Date;
}

interface DevClientRow {
  client_id: string;
  deployment_id: string;
  client_name: string;
  initiate_login_uri: string;
  redirect_uris: string[];
  jwks_uri: string;
}

const toClient = (r: DevClientRow): DevClientRecord => ({
  clientId: r.client_id,
  deploymentId: r.deployment_id,
  name: r.client_name,
  loginUrl: r.initiate_login_uri,
  redirectUris: r.redirect_uris,
  jwksUri: r.jwks_uri,
});

/** The dev LMS's storage: its signing key, registered tools, placed links, line items and scores. Development only. */
@Injectable()
export class DevLmsRepository {
  constructor(private readonly db: DataSource) {}

  /** Runs `work` while holding a database-wide lock, so instances starting together take turns. */
  async withInitLock<T>(work: () => Promise<T>): Promise<T> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtext('lectern-dev-platform-init'))`);
      return await work();
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext('lectern-dev-platform-init'))`).catch(() => undefined);
      await runner.release();
    }
  }

  /** The oldest key: every instance signs with the same one. */
  async oldestKey(): Promise<DevKeyRecord | null> {
    const [row]: Array<{ kid: string; private_jwk: JWK; public_jwk: JWK }> = await this.db.query(
      `SELECT kid, private_jwk, public_jwk FROM dev_platform_key ORDER BY created_at, kid LIMIT 1`,
    );
    return row ? { kid: row.kid, privateJwk: row.private_jwk, publicJwk: row.public_jwk } : null;
  }

  /** Adds a key unless one with this kid exists. */
  async addKey(key: DevKeyRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO dev_platform_key (kid, private_jwk, public_jwk) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [key.kid, JSON.stringify(key.privateJwk), JSON.stringify(key.publicJwk)],
    );
  }

  /** The tools registered dynamically, oldest first. */
  async clients(): Promise<DevClientRecord[]> {
    const rows: DevClientRow[] = await this.db.query(`SELECT * FROM dev_platform_client ORDER BY created_at`);
    return rows.map(toClient);
  }

  async client(clientId: string): Promise<DevClientRecord | null> {
    const [row]: DevClientRow[] = await this.db.query(`SELECT * FROM dev_platform_client WHERE client_id = $1`, [
      clientId,
    ]);
    return row ? toClient(row) : null;
  }

  async registrationOf(clientId: string): Promise<Record<string, unknown> | null> {
    const [row] = await this.db.query(`SELECT registration FROM dev_platform_client WHERE client_id = $1`, [clientId]);
    return (row?.registration as Record<string, unknown> | undefined) ?? null;
  }

  async addClient(c: NewDevClient): Promise<void> {
    await this.db.query(
      `INSERT INTO dev_platform_client (client_id, deployment_id, client_name, initiate_login_uri, redirect_uris, jwks_uri, registration)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [c.clientId, c.deploymentId, c.name, c.loginUrl, c.redirectUris, c.jwksUri, JSON.stringify(c.registration)],
    );
  }

  /** Places a link in the course; a graded one gets its line item bound to the link (resource link id `dl-<id>`). */
  async placeLink(link: {
    courseId: string;
    title: string;
    text: string | null;
    custom: Record<string, string>;
    lineItemId: number | null;
  }): Promise<DevLinkRow> {
    const [row]: DevLinkRow[] = await this.db.query(
      `INSERT INTO dev_platform_link (course_id, title, text, custom, lineitem_id) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [link.courseId, link.title, link.text, JSON.stringify(link.custom), link.lineItemId],
    );
    if (link.lineItemId)
      await this.db.query(`UPDATE dev_platform_lineitem SET resource_link_id = $2 WHERE id = $1`, [
        link.lineItemId,
        `dl-${row.id}`,
      ]);
    return row;
  }

  links(courseId: string): Promise<DevLinkRow[]> {
    return this.db.query(`SELECT * FROM dev_platform_link WHERE course_id = $1 ORDER BY id`, [courseId]);
  }

  async link(courseId: string, id: number): Promise<DevLinkRow | null> {
    const [row]: DevLinkRow[] = await this.db.query(
      `SELECT * FROM dev_platform_link WHERE course_id = $1 AND id = $2`,
      [courseId, id],
    );
    return row ?? null;
  }

  lineItems(
    courseId: string,
    filter: { resourceLinkId?: string; resourceId?: string; tag?: string },
  ): Promise<DevLineItem[]> {
    return this.db.query(
      `SELECT * FROM dev_platform_lineitem WHERE course_id = $1
         AND ($2::text IS NULL OR resource_link_id = $2) AND ($3::text IS NULL OR resource_id = $3) AND ($4::text IS NULL OR tag = $4)
       ORDER BY id`,
      [courseId, filter.resourceLinkId ?? null, filter.resourceId ?? null, filter.tag ?? null],
    );
  }

  async addLineItem(li: {
    courseId: string;
    label: string;
    scoreMaximum: number;
    resourceLinkId: string | null;
    resourceId: string | null;
    tag: string | null;
  }): Promise<DevLineItem> {
    const [row]: DevLineItem[] = await this.db.query(
      `INSERT INTO dev_platform_lineitem (course_id, label, score_maximum, resource_link_id, resource_id, tag) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [li.courseId, li.label, li.scoreMaximum, li.resourceLinkId, li.resourceId, li.tag],
    );
    return row;
  }

  async lineItem(courseId: string, id: number): Promise<DevLineItem | null> {
    const [row]: DevLineItem[] = await this.db.query(
      `SELECT * FROM dev_platform_lineitem WHERE course_id = $1 AND id = $2`,
      [courseId, id],
    );
    return row ?? null;
  }

  async addScore(s: NewDevScore): Promise<void> {
    await this.db.query(
      `INSERT INTO dev_platform_score (lineitem_id, user_id, score_given, score_maximum, activity_progress, grading_progress, comment, timestamp)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        s.lineItemId,
        s.userId,
        s.scoreGiven,
        s.scoreMaximum,
        s.activityProgress,
        s.gradingProgress,
        s.comment,
        s.timestamp,
      ],
    );
  }

  /** Each user's latest score (by timestamp) on each line item of the course. */
  latestScores(courseId: string): Promise<DevScoreRow[]> {
    return this.db.query(
      `SELECT DISTINCT ON (s.lineitem_id, s.user_id) s.* FROM dev_platform_score s JOIN dev_platform_lineitem l ON l.id = s.lineitem_id
        WHERE l.course_id = $1 ORDER BY s.lineitem_id, s.user_id, s.timestamp DESC, s.id DESC`,
      [courseId],
    );
  }
}
