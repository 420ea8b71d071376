import { Injectable } from '@nestjs/common';
import { AttendanceSummaryRepository } from '../attendance/infra/attendance-summary.repository';
import { ClassroomService } from '../classroom/classroom.service';
import { PresenceService } from '../classroom/presence.service';
import type { RosterView } from '../contracts/api';
import { TenancyService } from '../tenancy/tenancy.service';
import { RosterRepository } from './infra/roster.repository';
import { RosterService } from './roster.service';

/** The most members a view lists. */
const VIEW_LIMIT = 10_000;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** What an instructor sees of a course's roster: LMS members with their status, and who has or has never attended a class (from attendance's spans). */
@Injectable()
export class RosterViewService {
  constructor(
    private readonly roster: RosterService,
    private readonly repo: RosterRepository,
    private readonly tenancy: TenancyService,
    private readonly classroom: ClassroomService,
    private readonly presence: PresenceService,
    private readonly attendance: AttendanceSummaryRepository,
  ) {}

  /** Subjects of the people in a live class of this course now (presence, across instances). */
  private async hereNow(courseId: string): Promise<Set<string>> {
    const userIds = new Set<string>();
    for (const id of await this.classroom.liveClassIds(courseId))
      for (const p of await this.presence.participants(id)) userIds.add(p.userId);
    if (userIds.size === 0) return new Set();
    return new Set((await this.tenancy.users([...userIds])).map((u) => u.subject));
  }

  async view(courseId: string): Promise<RosterView> {
    const connection = await this.tenancy.courseConnection(courseId);
    const sync = await this.repo.lastSync(courseId);
    const here = await this.hereNow(courseId);
    const members = (await this.roster.members(courseId)).slice(0, VIEW_LIMIT);
    const attended = await this.attendance.bySubject(courseId);
    return {
      timeZone: (await this.tenancy.courseTimeZone(courseId)) ?? 'UTC',
      rosterServiceOffered: Boolean(connection?.nrpsUrl),
      sync: sync ? { ...sync, startedAt: sync.startedAt.toISOString(), finishedAt: iso(sync.finishedAt) } : null,
      members: members.map((m) => ({
        subject: m.subject,
        name: m.name,
        email: m.email,
        role: m.role,
        status: m.status,
        lastLaunchAt: iso(m.lastLaunchAt),
        lastAttendedAt: iso(attended.get(m.subject)?.lastAttendedAt ?? null),
        classesAttended: attended.get(m.subject)?.classesAttended ?? 0,
        hereNow: here.has(m.subject),
        source: m.source,
      })),
    };
  }
}
