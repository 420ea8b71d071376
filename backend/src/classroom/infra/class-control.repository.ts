import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface GuestLinkRow {
  id: string;
  courseId: string;
  activityId: string;
  label: string | null;
  expiresAt: Date;
  singleUse: boolean;
  needsAdmission: boolean;
  usedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  /** Guests who came by it. */
  guests: number;
}

export interface GuestStanding {
  sessionId: string;
  linkId: string;
  needsAdmission: boolean;
  ended: boolean;
}

const toLink = (r: Record<string, unknown>): GuestLinkRow => ({
  id: r.id as string,
  courseId: r.course_id as string,
  activityId: r.activity_id as string,
  label: (r.label as string | null) ?? null,
  expiresAt: new Date(r.expires_at as Date),
  singleUse: Boolean(r.single_use),
  needsAdmission: Boolean(r.needs_admission),
  usedAt: r.used_at ? new Date(r.used_at as Date) : null,
  revokedAt: r.revoked_at ? new Date(r.revoked_at as Date) : null,
  createdAt: new Date(r.created_at as Date),
  guests: Number(r.guests ?? 0),
});

const LINK_SELECT = `SELECT l.*, (SELECT count(*) FROM class_guest g WHERE g.link_id = l.id) AS guests FROM guest_link l`;

/** The class-control tables: the waiting room switch per classroom, guest links and guests. Scoped by course. */
@Injectable()
export class ClassControlRepository {
  constructor(private readonly db: DataSource) {}

  async waitingRoom(activityId: string): Promise<boolean> {
    const [row] = await this.db.query(`SELECT waiting_room FROM classroom_control WHERE activity_id = $1`, [
      activityId,
    ]);
    return Boolean(row?.waiting_room);
  }

  async setWaitingRoom(activityId: string, enabled: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO classroom_control (activity_id, waiting_room) VALUES ($1, $2)
       ON CONFLICT (activity_id) DO UPDATE SET waiting_room = $2, updated_at = now()`,
      [activityId, enabled],
    );
  }

  async createLink(l: {
    courseId: string;
    activityId: string;
    createdBy: string;
    label: string | null;
    expiresAt: Date;
    singleUse: boolean;
    needsAdmission: boolean;
  }): Promise<GuestLinkRow> {
    const [row] = await this.db.query(
      `INSERT INTO guest_link (course_id, activity_id, created_by, label, expires_at, single_use, needs_admission)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *, 0 AS guests`,
      [l.courseId, l.activityId, l.createdBy, l.label, l.expiresAt, l.singleUse, l.needsAdmission],
    );
    return toLink(row);
  }

  async links(activityId: string, courseId: string): Promise<GuestLinkRow[]> {
    const rows = await this.db.query(
      `${LINK_SELECT} WHERE l.activity_id = $1 AND l.course_id = $2 ORDER BY l.created_at DESC LIMIT 50`,
      [activityId, courseId],
    );
    return rows.map(toLink);
  }

  async link(id: string): Promise<GuestLinkRow | null> {
    const [row] = await this.db.query(`${LINK_SELECT} WHERE l.id = $1`, [id]);
    return row ? toLink(row) : null;
  }

  /** Takes a single-use link (once, whoever asks first on whichever instance); false when it was taken. */
  async takeSingleUse(id: string): Promise<boolean> {
    const [rows] = await this.db.query(
      `UPDATE guest_link SET used_at = now() WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /** Revokes a link of the classroom; returns the guests whose access this ends (empty when not found). */
  async revoke(id: string, activityId: string, courseId: string): Promise<{ found: boolean; ended: GuestEnded[] }> {
    return this.db.transaction(async (tx) => {
      const [rows] = await tx.query(
        `UPDATE guest_link SET revoked_at = COALESCE(revoked_at, now())
         WHERE id = $1 AND activity_id = $2 AND course_id = $3 RETURNING id`,
        [id, activityId, courseId],
      );
      if (!rows.length) return { found: false, ended: [] };
      const [ended] = await tx.query(
        `UPDATE class_guest SET ended_at = now(), ended_reason = 'revoked'
         WHERE link_id = $1 AND ended_at IS NULL RETURNING user_id, session_id`,
        [id],
      );
      return { found: true, ended: (ended as Array<Record<string, string>>).map(toEnded) };
    });
  }

  /** Where a course's guests belong: its platform and deployment (read only; tenancy owns the course). */
  async courseTenant(courseId: string): Promise<{ platformId: string; deploymentId: string } | null> {
    const [row] = await this.db.query(`SELECT platform_id, deployment_id FROM course WHERE id = $1`, [courseId]);
    return row ? { platformId: row.platform_id, deploymentId: row.deployment_id } : null;
  }

  /** A guest (a user tenancy made for them) may enter this class. */
  async addGuest(g: { userId: string; linkId: string; sessionId: string; name: string }): Promise<void> {
    await this.db.query(`INSERT INTO class_guest (user_id, link_id, session_id, name) VALUES ($1, $2, $3, $4)`, [
      g.userId,
      g.linkId,
      g.sessionId,
      g.name,
    ]);
  }

  async guestStanding(userId: string): Promise<GuestStanding | null> {
    const [row] = await this.db.query(
      `SELECT g.session_id, g.link_id, l.needs_admission, (g.ended_at IS NOT NULL OR l.revoked_at IS NOT NULL) AS ended
         FROM class_guest g JOIN guest_link l ON l.id = g.link_id WHERE g.user_id = $1`,
      [userId],
    );
    return row
      ? {
          sessionId: row.session_id,
          linkId: row.link_id,
          needsAdmission: Boolean(row.needs_admission),
          ended: Boolean(row.ended),
        }
      : null;
  }

  /** Ends one guest's access (removed); false when it had ended. */
  async endGuest(userId: string, sessionId: string, reason: 'removed'): Promise<boolean> {
    const [rows] = await this.db.query(
      `UPDATE class_guest SET ended_at = now(), ended_reason = $3
       WHERE user_id = $1 AND session_id = $2 AND ended_at IS NULL RETURNING user_id`,
      [userId, sessionId, reason],
    );
    return rows.length > 0;
  }

  /** The class ended: every guest of it goes. */
  async endGuestsOf(sessionId: string): Promise<GuestEnded[]> {
    const [rows] = await this.db.query(
      `UPDATE class_guest SET ended_at = now(), ended_reason = 'class-ended'
       WHERE session_id = $1 AND ended_at IS NULL RETURNING user_id, session_id`,
      [sessionId],
    );
    return (rows as Array<Record<string, string>>).map(toEnded);
  }

  /** The guests of a class (for the end summary: they came, marked as guests). */
  async guestsOf(sessionId: string): Promise<Array<{ userId: string; name: string }>> {
    const rows: Array<{ user_id: string; name: string }> = await this.db.query(
      `SELECT user_id, name FROM class_guest WHERE session_id = $1`,
      [sessionId],
    );
    return rows.map((r) => ({ userId: r.user_id, name: r.name }));
  }
}

export interface GuestEnded {
  userId: string;
  sessionId: string;
}
const toEnded = (r: Record<string, string>): GuestEnded => ({ userId: r.user_id, sessionId: r.session_id });
