import { Inject, Injectable } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import { jwtVerify } from 'jose';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config';
import { REDIS } from '../platform/redis';
import { decodeJwt } from 'jose';
import { DevClients } from './dev-clients';
import { courseMembers, DEV_COURSES, DevCourse, devServiceUrls, LIS_ROLES } from './domain/dev-lms-fixture';
import { DevLineItem, DevLinkRow, DevLmsRepository } from './infra/dev-lms.repository';

export type { DevLineItem, DevLinkRow };

export const SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;
const GRANTABLE = new Set<string>(Object.values(SCOPES));

/** An error the dev LMS answers with, as a real platform would (status + OAuth/JSON body). */
export class DevLmsError extends Error {
  constructor(
    public readonly status: number,
    public readonly body: Record<string, unknown>,
  ) {
    super(String(body.error_description ?? body.error ?? status));
  }
}

const TOKEN_TTL = 3600;

export type DevService = 'ags' | 'nrps';
/** How a dev LMS service misbehaves when told to (tests and the gradebook's switch use these). */
export type DevFault = '503' | '500' | '429' | '401' | 'malformed';

/**
 * The platform side of LTI Advantage for the dev LMS: OAuth2 client credentials with a JWT client
 * assertion checked against the tool's JWKS, Names and Role Provisioning with paging, and Assignment and
 * Grade Services line items and scores, with a switch that takes AGS down.
 */
@Injectable()
export class DevLmsServices {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: DevLmsRepository,
    private readonly clients: DevClients,
  ) {}

  /** The registered tool a JWT claims to come from (its iss), or null. */
  private async clientOf(jwt: string) {
    try {
      const iss = decodeJwt(jwt).iss;
      return typeof iss === 'string' ? await this.clients.get(iss) : null;
    } catch {
      return null;
    }
  }

  get issuer() {
    return this.config.devPlatform.url;
  }

  /** Redis keys of this dev LMS (several test apps share one Redis; each has its own issuer). */
  private key(...parts: string[]) {
    return ['devlms', this.issuer, ...parts].join(':');
  }

  get tokensSetKey() {
    return this.key('tokens');
  }

  course(id: string): DevCourse {
    const course = DEV_COURSES.find((c) => c.id === id);
    if (!course) throw new DevLmsError(404, { error: 'not_found', error_description: 'No such course' });
    return course;
  }

  // ---- OAuth2 token endpoint ----

  async issueToken(form: Record<string, unknown>): Promise<Record<string, unknown>> {
    const invalid = (error: string, description: string, status = 400) =>
      new DevLmsError(status, { error, error_description: description });
    if (form.grant_type !== 'client_credentials')
      throw invalid('unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      throw invalid('invalid_request', 'client_assertion_type must be jwt-bearer');
    }
    if (typeof form.client_assertion !== 'string') throw invalid('invalid_request', 'client_assertion is required');
    const client = await this.clientOf(form.client_assertion);
    if (!client) throw invalid('invalid_client', 'unknown client', 401);
    let payload;
    try {
      ({ payload } = await jwtVerify(form.client_assertion, this.clients.keysOf(client), {
        audience: `${this.issuer}/token`,
        issuer: client.clientId,
        subject: client.clientId,
        algorithms: ['RS256'],
      }));
    } catch (e) {
      throw invalid('invalid_client', `client assertion refused: ${(e as Error).message}`, 401);
    }
    if (
      typeof payload.jti !== 'string' ||
      !(await this.redis.set(this.key('jti', payload.jti), '1', 'EX', 600, 'NX'))
    ) {
      throw invalid('invalid_client', 'client assertion replayed or without jti', 401);
    }
    const requested = String(form.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const scopes = requested.filter((s) => GRANTABLE.has(s));
    if (scopes.length === 0) throw invalid('invalid_scope', 'none of the requested scopes can be granted');
    const token = crypto.randomBytes(24).toString('base64url');
    await this.redis
      .multi()
      .set(this.key('token', token), JSON.stringify({ scopes }), 'EX', TOKEN_TTL)
      .sadd(this.tokensSetKey, token)
      .exec();
    return { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL, scope: scopes.join(' ') };
  }

  /** Revokes every access token the dev LMS gave out (to watch the tool fetch a new one). */
  async revokeTokens(): Promise<number> {
    const tokens = await this.redis.smembers(this.tokensSetKey);
    if (tokens.length) await this.redis.del(...tokens.map((t) => this.key('token', t)), this.tokensSetKey);
    return tokens.length;
  }

  async authorize(header: string | undefined, scope: string | string[]): Promise<void> {
    const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
    const raw = token ? await this.redis.get(this.key('token', token)) : null;
    if (!raw)
      throw new DevLmsError(401, {
        error: 'invalid_token',
        error_description: 'missing, expired or revoked access token',
      });
    const granted: string[] = JSON.parse(raw).scopes;
    const needed = Array.isArray(scope) ? scope : [scope];
    if (!needed.some((s) => granted.includes(s)))
      throw new DevLmsError(403, { error: 'insufficient_scope', error_description: `needs ${needed.join(' or ')}` });
  }

  // ---- Deep Linking (platform side) ----

  /** Opens a deep-linking request; the opaque `data` comes back with the tool's answer and is used once. */
  async startDeepLinking(courseId: string, userId: string): Promise<string> {
    this.course(courseId);
    const data = crypto.randomBytes(18).toString('base64url');
    await this.redis.set(this.key('dl', data), JSON.stringify({ courseId, userId }), 'EX', 3600);
    return data;
  }

  /** Checks the tool's LtiDeepLinkingResponse (signature, audience, nonce, data) and places its links in the course. */
  async acceptDeepLinkingResponse(jwt: unknown): Promise<{ courseId: string; links: DevLinkRow[] }> {
    const bad = (d: string, status = 400) =>
      new DevLmsError(status, { error: 'invalid_request', error_description: d });
    if (typeof jwt !== 'string' || !jwt) throw bad('JWT is required');
    const client = await this.clientOf(jwt);
    if (!client) throw bad('deep-linking response from an unknown client', 401);
    let payload;
    try {
      ({ payload } = await jwtVerify(jwt, this.clients.keysOf(client), {
        issuer: client.clientId,
        audience: this.issuer,
        algorithms: ['RS256'],
        maxTokenAge: '10m',
      }));
    } catch (e) {
      throw bad(`deep-linking response refused: ${(e as Error).message}`, 401);
    }
    const claim = (n: string) => payload[`https://purl.imsglobal.org/spec/lti/claim/${n}`];
    if (claim('message_type') !== 'LtiDeepLinkingResponse' || claim('version') !== '1.3.0')
      throw bad('not an LTI 1.3 deep-linking response');
    if (claim('deployment_id') !== client.deploymentId) throw bad('unknown deployment');
    if (
      typeof payload.nonce !== 'string' ||
      !(await this.redis.set(this.key('dl-nonce', payload.nonce), '1', 'EX', 3600, 'NX'))
    ) {
      throw bad('deep-linking response replayed (nonce already used)', 409);
    }
    const data = payload['https://purl.imsglobal.org/spec/lti-dl/claim/data'];
    const pending = typeof data === 'string' ? await this.redis.getdel(this.key('dl', data)) : null;
    if (!pending)
      throw bad('deep-linking response does not answer an open request of this platform (data unknown or used)', 409);
    const { courseId } = JSON.parse(pending) as { courseId: string };
    const items = payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'];
    if (!Array.isArray(items)) throw bad('content_items must be an array');
    const links: DevLinkRow[] = [];
    for (const raw of items) {
      const it = raw as Record<string, unknown>;
      if (it?.type !== 'ltiResourceLink') continue;
      const title = typeof it.title === 'string' && it.title ? it.title.slice(0, 200) : 'Lectern';
      const custom = Object.fromEntries(
        Object.entries((it.custom as Record<string, unknown>) ?? {}).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      );
      let lineItemId: number | null = null;
      const li = it.lineItem as Record<string, unknown> | undefined;
      if (li && typeof li.scoreMaximum === 'number') {
        const created = await this.createLineItem(courseId, {
          label: li.label ?? title,
          scoreMaximum: li.scoreMaximum,
          resourceId: li.resourceId,
          tag: li.tag,
        });
        lineItemId = created.id;
      }
      links.push(
        await this.store.placeLink({
          courseId,
          title,
          text: typeof it.text === 'string' ? it.text.slice(0, 1000) : null,
          custom,
          lineItemId,
        }),
      );
    }
    return { courseId, links };
  }

  placedLinks(courseId: string): Promise<DevLinkRow[]> {
    return this.store.links(courseId);
  }

  async placedLink(courseId: string, id: number) {
    const row = await this.store.link(courseId, id);
    if (!row) return null;
    return {
      id: `dl-${row.id}`,
      title: row.title,
      custom: row.custom,
      lineItemUrl: row.lineitem_id ? `${this.lineItemsUrl(courseId)}/${row.lineitem_id}` : null,
    };
  }

  // ---- Names and Role Provisioning Services ----

  membershipsUrl(courseId: string) {
    return devServiceUrls(this.issuer, courseId).memberships;
  }

  memberships(courseId: string, limit: number, page: number): { body: Record<string, unknown>; next: string | null } {
    const course = this.course(courseId);
    const all = courseMembers(course);
    const size = Math.min(Math.max(limit || 100, 1), 200);
    const start = (Math.max(page || 1, 1) - 1) * size;
    const members = all.slice(start, start + size).map((m) => ({
      status: m.status,
      name: m.user.name,
      given_name: m.user.givenName,
      family_name: m.user.familyName,
      email: m.user.email,
      user_id: m.user.id,
      roles: LIS_ROLES[m.role],
      // An observer's students, as NRPS 2.0 gives a member's launch claims in its message section.
      ...(m.observes?.length
        ? {
            message: [
              {
                'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiResourceLinkRequest',
                'https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor': m.observes,
              },
            ],
          }
        : {}),
    }));
    const next =
      start + size < all.length
        ? `${this.membershipsUrl(courseId)}?limit=${size}&page=${Math.floor(start / size) + 2}`
        : null;
    return {
      body: {
        id: this.membershipsUrl(courseId),
        context: { id: course.id, label: course.label, title: course.title },
        members,
      },
      next,
    };
  }

  // ---- Assignment and Grade Services ----

  lineItemsUrl(courseId: string) {
    return devServiceUrls(this.issuer, courseId).lineItems;
  }

  async setFault(service: DevService, fault: DevFault | null): Promise<void> {
    if (fault) await this.redis.set(this.key('fault', service), fault);
    else await this.redis.del(this.key('fault', service));
  }

  async fault(service: DevService): Promise<DevFault | null> {
    return (await this.redis.get(this.key('fault', service))) as DevFault | null;
  }

  /** Throws the configured fault, if any; 'malformed' is answered by the caller as broken JSON. */
  async checkFault(service: DevService): Promise<'malformed' | null> {
    const f = await this.fault(service);
    if (!f) return null;
    if (f === 'malformed') return 'malformed';
    const status = Number(f);
    throw new DevLmsError(status, {
      error: status === 401 ? 'invalid_token' : 'unavailable',
      error_description: `${service} fault switched on (${f})`,
    });
  }

  async setAgsDown(down: boolean) {
    await this.setFault('ags', down ? '503' : null);
  }

  async agsDown(): Promise<boolean> {
    return (await this.fault('ags')) !== null;
  }

  /** AGS endpoints call this first: throws the fault switched on, or says to answer malformed JSON. */
  requireAgsUp(): Promise<'malformed' | null> {
    return this.checkFault('ags');
  }

  lineItemJson(li: DevLineItem) {
    return {
      id: `${this.lineItemsUrl(li.course_id)}/${li.id}`,
      label: li.label,
      scoreMaximum: Number(li.score_maximum),
      ...(li.resource_link_id ? { resourceLinkId: li.resource_link_id } : {}),
      ...(li.resource_id ? { resourceId: li.resource_id } : {}),
      ...(li.tag ? { tag: li.tag } : {}),
    };
  }

  async listLineItems(
    courseId: string,
    filter: { resourceLinkId?: string; resourceId?: string; tag?: string },
  ): Promise<DevLineItem[]> {
    this.course(courseId);
    return this.store.lineItems(courseId, filter);
  }

  async createLineItem(courseId: string, body: Record<string, unknown>): Promise<DevLineItem> {
    this.course(courseId);
    const label = typeof body.label === 'string' && body.label.trim() ? body.label.trim().slice(0, 200) : null;
    const max = typeof body.scoreMaximum === 'number' && body.scoreMaximum > 0 ? body.scoreMaximum : null;
    if (!label || !max)
      throw new DevLmsError(400, {
        error: 'invalid_request',
        error_description: 'label and a positive scoreMaximum are required',
      });
    const opt = (v: unknown) => (typeof v === 'string' && v ? v.slice(0, 255) : null);
    return this.store.addLineItem({
      courseId,
      label,
      scoreMaximum: max,
      resourceLinkId: opt(body.resourceLinkId),
      resourceId: opt(body.resourceId),
      tag: opt(body.tag),
    });
  }

  async lineItem(courseId: string, id: number): Promise<DevLineItem> {
    const row = await this.store.lineItem(courseId, id);
    if (!row) throw new DevLmsError(404, { error: 'not_found', error_description: 'No such line item' });
    return row;
  }

  async postScore(courseId: string, lineItemId: number, body: Record<string, unknown>): Promise<void> {
    const li = await this.lineItem(courseId, lineItemId);
    const bad = (d: string) => new DevLmsError(400, { error: 'invalid_request', error_description: d });
    const userId = typeof body.userId === 'string' ? body.userId : null;
    if (!userId || !courseMembers(this.course(courseId)).some((m) => m.user.id === userId))
      throw bad('userId is not a member of this course');
    const ts = typeof body.timestamp === 'string' ? new Date(body.timestamp) : null;
    if (!ts || Number.isNaN(ts.getTime())) throw bad('timestamp is required (ISO 8601)');
    const progress = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
    const grading = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];
    if (!progress.includes(String(body.activityProgress))) throw bad('activityProgress is invalid');
    if (!grading.includes(String(body.gradingProgress))) throw bad('gradingProgress is invalid');
    const given = body.scoreGiven;
    const max = body.scoreMaximum;
    if (given !== undefined && (typeof given !== 'number' || given < 0 || typeof max !== 'number' || max <= 0)) {
      throw bad('scoreGiven needs a non-negative number and scoreMaximum a positive one');
    }
    await this.store.addScore({
      lineItemId: li.id,
      userId,
      scoreGiven: (given as number | undefined) ?? null,
      scoreMaximum: (max as number | undefined) ?? null,
      activityProgress: String(body.activityProgress),
      gradingProgress: String(body.gradingProgress),
      comment: typeof body.comment === 'string' ? body.comment.slice(0, 1000) : null,
      timestamp: ts,
    });
  }

  /** The gradebook: every line item of a course and each user's latest score (by timestamp). */
  async gradebook(courseId: string) {
    const items: DevLineItem[] = await this.listLineItems(courseId, {});
    const scores = await this.store.latestScores(courseId);
    return { items, scores };
  }
}
