import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { PlatformServiceClient, PlatformServiceError } from '../lti/infra/platform-service-client';
import { REDIS } from '../platform/redis';
import { nextPageUrl, NrpsFormatError, parseMembershipPage, RosterEntry } from './domain/nrps-page';

export const ROSTER_QUEUE = 'roster-sync';
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const NRPS_MEDIA_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
/** A launch asks for a sync at most this often per course. */
export const LAUNCH_SYNC_THROTTLE_SECONDS = 600;
/** A guard against a platform whose "next" links never end. */
const MAX_PAGES = 200;

export interface RosterSyncResult {
  members: number;
  pages: number;
  removed: number;
}

/** Keeps each course's roster in step with the LMS through Names and Role Provisioning Services. */
@Injectable()
export class RosterService {
  private readonly logger = new Logger('Roster');

  constructor(
    private readonly db: DataSource,
    private readonly client: PlatformServiceClient,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectQueue(ROSTER_QUEUE) private readonly queue: Queue,
  ) {}

  /** Queues a sync. From a launch it is throttled per course; an instructor's request always queues one. */
  async requestSync(courseId: string, reason: 'launch' | 'instructor' | 'schedule'): Promise<boolean> {
    if (reason === 'launch') {
      const first = await this.redis.set(`roster:launch-throttle:${courseId}`, '1', 'EX', LAUNCH_SYNC_THROTTLE_SECONDS, 'NX');
      if (!first) return false;
    }
    const [svc] = await this.db.query(`SELECT nrps_url FROM course_lti_service WHERE course_id = $1`, [courseId]);
    if (!svc?.nrps_url) return false;
    // One queued sync per course at a time: the fixed job id makes a second request a no-op while one waits.
    await this.queue.add(
      'sync',
      { courseId },
      // removeOnFail: a kept failed job would hold the id and silently swallow every later request.
      { jobId: `sync:${courseId}`, attempts: 5, backoff: { type: 'exponential', delay: 10_000 }, removeOnComplete: true, removeOnFail: true },
    );
    return true;
  }

  /** Queues a sync of every course whose launches announced a roster service. */
  async requestAll(): Promise<number> {
    const rows: Array<{ course_id: string }> = await this.db.query(`SELECT course_id FROM course_lti_service WHERE nrps_url IS NOT NULL`);
    for (const r of rows) await this.requestSync(r.course_id, 'schedule');
    return rows.length;
  }

  /** Fetches every page of the course's roster and stores it; members the LMS no longer lists are marked deleted. */
  async sync(courseId: string): Promise<RosterSyncResult> {
    const [ctx] = await this.db.query(
      `SELECT s.nrps_url, p.issuer, p.client_id FROM course_lti_service s
         JOIN course c ON c.id = s.course_id JOIN lti_platform p ON p.id = c.platform_id WHERE s.course_id = $1`,
      [courseId],
    );
    if (!ctx?.nrps_url) throw new PlatformServiceError('NRPS_NOT_OFFERED', 'This course has no roster service (NRPS) URL', false);
    await this.db.query(
      `INSERT INTO roster_sync (course_id, status, started_at) VALUES ($1, 'running', now())
       ON CONFLICT (course_id) DO UPDATE SET status = 'running', started_at = now(), error = NULL`,
      [courseId],
    );
    try {
      const members = new Map<string, RosterEntry>();
      const origin = new URL(ctx.nrps_url).origin;
      let url: string | null = ctx.nrps_url;
      const seen = new Set<string>();
      let pages = 0;
      while (url) {
        if (seen.has(url) || pages >= MAX_PAGES) throw new PlatformServiceError('NRPS_PAGING_LOOP', `Roster paging did not end after ${pages} pages`, false);
        seen.add(url);
        const res = await this.client.request(
          { issuer: ctx.issuer, clientId: ctx.client_id },
          [NRPS_SCOPE],
          url,
          { accept: NRPS_MEDIA_TYPE },
        );
        pages++;
        for (const m of parseMembershipPage(res.body)) members.set(m.subject, m);
        const next = nextPageUrl(res.headers.get('link'));
        url = next ? new URL(next, url).toString() : null;
        // The next page must come from the roster service itself, not send Lectern elsewhere.
        if (url && new URL(url).origin !== origin) throw new PlatformServiceError('NRPS_FOREIGN_PAGE', `Roster paging left ${origin}`, false);
      }
      const [{ had }] = await this.db.query(`SELECT count(*)::int AS had FROM roster_member WHERE course_id = $1 AND status <> 'deleted'`, [courseId]);
      if (members.size === 0 && had > 0) {
        throw new PlatformServiceError('NRPS_EMPTY', 'The LMS returned an empty roster; the previous roster is kept', true);
      }
      const removed = await this.store(courseId, [...members.values()]);
      await this.db.query(
        `UPDATE roster_sync SET status = 'ok', finished_at = now(), members = $2, pages = $3 WHERE course_id = $1`,
        [courseId, members.size, pages],
      );
      this.logger.log(`course ${courseId}: ${members.size} members over ${pages} pages`);
      return { members: members.size, pages, removed };
    } catch (e) {
      const message = e instanceof NrpsFormatError ? `The LMS roster was malformed: ${e.message}` : (e as Error).message;
      await this.db.query(`UPDATE roster_sync SET status = 'failed', finished_at = now(), error = $2 WHERE course_id = $1`, [courseId, message.slice(0, 1000)]);
      throw e instanceof NrpsFormatError ? new PlatformServiceError('NRPS_BAD_RESPONSE', message, true) : e;
    }
  }

  private async store(courseId: string, members: RosterEntry[]): Promise<number> {
    return this.db.transaction(async (m) => {
      // One statement for the whole roster: unnest the columns.
      await m.query(
        `INSERT INTO roster_member (course_id, subject, name, email, lti_roles, role, status, synced_at)
         SELECT $1, s, n, e, string_to_array(r, ' '), nullif(ro, ''), st, now()
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(s, n, e, r, ro, st)
         ON CONFLICT (course_id, subject) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, lti_roles = EXCLUDED.lti_roles,
           role = EXCLUDED.role, status = EXCLUDED.status, synced_at = now()`,
        [
          courseId,
          members.map((x) => x.subject),
          members.map((x) => x.name),
          members.map((x) => x.email),
          members.map((x) => x.ltiRoles.join(' ')),
          members.map((x) => x.role ?? ''),
          members.map((x) => x.status),
        ],
      );
      const res = await m.query(
        `UPDATE roster_member SET status = 'deleted', synced_at = now() WHERE course_id = $1 AND status <> 'deleted' AND NOT (subject = ANY($2::text[]))`,
        [courseId, members.map((x) => x.subject)],
      );
      return Number(res[1]);
    });
  }
}
