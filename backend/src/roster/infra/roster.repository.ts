import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CourseRole } from '../../tenancy/domain/role-mapping';
import type { RosterEntry } from '../domain/nrps-page';

export type RosterStatus = 'active' | 'inactive' | 'deleted';

/** A member of a course as the LMS roster lists them (`roster_member`). */
export interface RosterMemberRow {
  subject: string;
  name: string;
  email: string | null;
  role: CourseRole | null;
  status: RosterStatus;
}

/** The last sync of a course's roster (`roster_sync`). */
export interface RosterSyncRow {
  status: 'running' | 'ok' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
  members: number | null;
  pages: number | null;
  error: string | null;
}

const toMember = (r: Record<string, unknown>): RosterMemberRow => ({
  subject: r.subject as string,
  name: r.name as string,
  email: (r.email as string | null) ?? null,
  role: (r.role as CourseRole | null) ?? null,
  status: r.status as RosterStatus,
});

/** The roster's tables: members as the LMS lists them (`roster_member`) and each course's last sync (`roster_sync`). */
@Injectable()
export class RosterRepository {
  constructor(private readonly db: DataSource) {}

  async members(courseId: string): Promise<RosterMemberRow[]> {
    const rows = await this.db.query(
      `SELECT subject, name, email, role, status FROM roster_member WHERE course_id = $1`,
      [courseId],
    );
    return rows.map(toMember);
  }

  /** A member of any status. */
  async member(courseId: string, subject: string): Promise<RosterMemberRow | null> {
    const [row] = await this.db.query(
      `SELECT subject, name, email, role, status FROM roster_member WHERE course_id = $1 AND subject = $2`,
      [courseId, subject],
    );
    return row ? toMember(row) : null;
  }

  /** How many members the course has that the LMS has not removed. */
  async countListed(courseId: string): Promise<number> {
    const [{ had }] = await this.db.query(
      `SELECT count(*)::int AS had FROM roster_member WHERE course_id = $1 AND status <> 'deleted'`,
      [courseId],
    );
    return had;
  }

  /** Stores the whole roster in one transaction; members it no longer lists are marked deleted (returns how many). */
  async replace(courseId: string, members: readonly RosterEntry[]): Promise<number> {
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
      // An UPDATE answers [rows, count].
      const res = await m.query(
        `UPDATE roster_member SET status = 'deleted', synced_at = now() WHERE course_id = $1 AND status <> 'deleted' AND NOT (subject = ANY($2::text[]))`,
        [courseId, members.map((x) => x.subject)],
      );
      return Number(res[1]);
    });
  }

  async syncStarted(courseId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO roster_sync (course_id, status, started_at) VALUES ($1, 'running', now())
       ON CONFLICT (course_id) DO UPDATE SET status = 'running', started_at = now(), error = NULL`,
      [courseId],
    );
  }

  async syncSucceeded(courseId: string, members: number, pages: number): Promise<void> {
    await this.db.query(
      `UPDATE roster_sync SET status = 'ok', finished_at = now(), members = $2, pages = $3 WHERE course_id = $1`,
      [courseId, members, pages],
    );
  }

  async syncFailed(courseId: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE roster_sync SET status = 'failed', finished_at = now(), error = $2 WHERE course_id = $1`,
      [courseId, error],
    );
  }

  async lastSync(courseId: string): Promise<RosterSyncRow | null> {
    const [row] = await this.db.query(
      `SELECT status, started_at, finished_at, members, pages, error FROM roster_sync WHERE course_id = $1`,
      [courseId],
    );
    return row
      ? {
          status: row.status,
          startedAt: new Date(row.started_at),
          finishedAt: row.finished_at ? new Date(row.finished_at) : null,
          members: row.members,
          pages: row.pages,
          error: row.error,
        }
      : null;
  }
}
