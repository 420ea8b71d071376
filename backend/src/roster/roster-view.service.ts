import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PresenceService } from '../classroom/presence.service';
import type { RosterView } from '../contracts/api';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** What an instructor sees of a course's roster: LMS members with their status, and who has or has never come. */
@Injectable()
export class RosterViewService {
  constructor(
    private readonly db: DataSource,
    private readonly presence: PresenceService,
  ) {}

  /** Subjects of the people in a live class of this course now (presence, across instances). */
  private async hereNow(courseId: string): Promise<Set<string>> {
    const live: Array<{ id: string }> = await this.db.query(`SELECT id FROM live_session WHERE course_id = $1 AND ended_at IS NULL`, [courseId]);
    const userIds = new Set<string>();
    for (const s of live) for (const p of await this.presence.participants(s.id)) userIds.add(p.userId);
    if (userIds.size === 0) return new Set();
    const rows = await this.db.query(`SELECT subject FROM lti_user WHERE id = ANY($1::uuid[])`, [[...userIds]]);
    return new Set(rows.map((r: { subject: string }) => r.subject));
  }

  async view(courseId: string): Promise<RosterView> {
    const [svc] = await this.db.query(`SELECT nrps_url FROM course_lti_service WHERE course_id = $1`, [courseId]);
    const [sync] = await this.db.query(`SELECT * FROM roster_sync WHERE course_id = $1`, [courseId]);
    const here = await this.hereNow(courseId);
    const rows = await this.db.query(
      `SELECT r.subject, r.name, r.email, r.role, r.status, e.last_launch_at, 'lms' AS source
         FROM roster_member r JOIN course c ON c.id = r.course_id
         LEFT JOIN lti_user u ON u.platform_id = c.platform_id AND u.subject = r.subject
         LEFT JOIN enrolment e ON e.course_id = r.course_id AND e.user_id = u.id
        WHERE r.course_id = $1
       UNION ALL
       SELECT u.subject, u.name, u.email, e.role, 'active', e.last_launch_at, 'launch'
         FROM enrolment e JOIN lti_user u ON u.id = e.user_id
        WHERE e.course_id = $1 AND NOT EXISTS (SELECT 1 FROM roster_member r WHERE r.course_id = $1 AND r.subject = u.subject)
       ORDER BY 5, 2 LIMIT 10000`,
      [courseId],
    );
    return {
      rosterServiceOffered: Boolean(svc?.nrps_url),
      sync: sync
        ? { status: sync.status, startedAt: iso(sync.started_at)!, finishedAt: iso(sync.finished_at), members: sync.members, pages: sync.pages, error: sync.error }
        : null,
      members: rows.map((r: Record<string, unknown>) => ({
        subject: r.subject as string,
        name: r.name as string,
        email: (r.email as string) ?? null,
        role: (r.role as RosterView['members'][number]['role']) ?? null,
        status: r.status as 'active',
        lastLaunchAt: iso(r.last_launch_at as Date | null),
        hereNow: here.has(r.subject as string),
        source: r.source as 'lms',
      })),
    };
  }
}
