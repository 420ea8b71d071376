import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ObserverLink } from '../domain/observer-links';

/** An observer's email for one of the course's students (the link's, else the LMS's for that person). */
export interface ObserverContactRow {
  studentSubject: string;
  observerSubject: string;
  email: string;
  name: string | null;
  source: 'launch' | 'nrps';
}

/** `roster_observer_link`: LMS observers and the students they observe, per course. */
@Injectable()
export class ObserverLinkRepository {
  constructor(private readonly db: DataSource) {}

  /** The links the last NRPS sync gave replace those of the previous sync (launch links are kept). */
  async replaceFromRoster(courseId: string, links: readonly ObserverLink[]): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(`DELETE FROM roster_observer_link WHERE course_id = $1 AND source = 'nrps'`, [courseId]);
      if (!links.length) return;
      await m.query(
        `INSERT INTO roster_observer_link (course_id, observer_subject, student_subject, email, name, source)
         SELECT $1, o, s, e, n, 'nrps' FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(o, s, e, n)
         ON CONFLICT DO NOTHING`,
        [
          courseId,
          links.map((l) => l.observerSubject),
          links.map((l) => l.studentSubject),
          links.map((l) => l.email),
          links.map((l) => l.name),
        ],
      );
    });
  }

  /** An observer's launch names the students they observe now: their launch links become exactly these. */
  async replaceFromLaunch(courseId: string, observerSubject: string, links: readonly ObserverLink[]): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `DELETE FROM roster_observer_link WHERE course_id = $1 AND observer_subject = $2 AND source = 'launch'`,
        [courseId, observerSubject],
      );
      for (const l of links)
        await m.query(
          `INSERT INTO roster_observer_link (course_id, observer_subject, student_subject, email, name, source)
           VALUES ($1, $2, $3, $4, $5, 'launch') ON CONFLICT DO NOTHING`,
          [courseId, observerSubject, l.studentSubject, l.email, l.name],
        );
    });
  }

  /** Every observer of the course's students with an email (the link's, else the roster's, else a launch's). */
  async contacts(courseId: string): Promise<ObserverContactRow[]> {
    const rows: Array<Record<string, string | null>> = await this.db.query(
      `SELECT DISTINCT ON (l.student_subject, lower(coalesce(l.email, rm.email, u.email)))
              l.student_subject, l.observer_subject, lower(coalesce(l.email, rm.email, u.email)) AS email,
              coalesce(l.name, rm.name, u.name) AS name, l.source
         FROM roster_observer_link l
         JOIN course c ON c.id = l.course_id
         LEFT JOIN roster_member rm ON rm.course_id = l.course_id AND rm.subject = l.observer_subject
         LEFT JOIN lti_user u ON u.platform_id = c.platform_id AND u.subject = l.observer_subject
        WHERE l.course_id = $1 AND coalesce(l.email, rm.email, u.email) IS NOT NULL
          AND coalesce(rm.status, 'active') <> 'deleted'
        ORDER BY l.student_subject, lower(coalesce(l.email, rm.email, u.email)), l.source`,
      [courseId],
    );
    return rows.map((r) => ({
      studentSubject: r.student_subject!,
      observerSubject: r.observer_subject!,
      email: r.email!,
      name: r.name,
      source: r.source as 'launch' | 'nrps',
    }));
  }
}
