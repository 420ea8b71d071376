import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface PlatformHealth {
  lastLaunchAt: Date | null;
  pending: number;
  failed: number;
  lastFailure: { reason: string; at: Date } | null;
}

/** Per platform: its last launch and the state of its grade passback (the operator's health columns). */
@Injectable()
export class PlatformHealthRepository {
  constructor(private readonly db: DataSource) {}

  async all(): Promise<Map<string, PlatformHealth>> {
    const rows: Array<{
      platform_id: string;
      last_launch_at: Date | null;
      pending: number;
      failed: number;
      last_error: string | null;
      last_failed_at: Date | null;
    }> = await this.db.query(
      `SELECT p.id AS platform_id,
              (SELECT max(e.last_launch_at) FROM enrolment e JOIN course c ON c.id = e.course_id
                WHERE c.platform_id = p.id) AS last_launch_at,
              (SELECT count(*)::int FROM grade_outbox o JOIN course c ON c.id = o.course_id
                WHERE c.platform_id = p.id AND o.status = 'pending') AS pending,
              (SELECT count(*)::int FROM grade_outbox o JOIN course c ON c.id = o.course_id
                WHERE c.platform_id = p.id AND o.status = 'failed') AS failed,
              f.last_error, f.last_attempt_at AS last_failed_at
         FROM lti_platform p
         LEFT JOIN LATERAL (
           SELECT o.last_error, o.last_attempt_at FROM grade_outbox o JOIN course c ON c.id = o.course_id
            WHERE c.platform_id = p.id AND o.status IN ('failed', 'pending') AND o.last_error IS NOT NULL
            ORDER BY o.last_attempt_at DESC NULLS LAST LIMIT 1) f ON true`,
    );
    return new Map(
      rows.map((r) => [
        r.platform_id,
        {
          lastLaunchAt: r.last_launch_at,
          pending: r.pending,
          failed: r.failed,
          lastFailure: r.last_error ? { reason: r.last_error, at: r.last_failed_at ?? new Date(0) } : null,
        },
      ]),
    );
  }
}
