import { Injectable } from '@nestjs/common';
import type { GradebookView, GradeCellView } from '../contracts/api';
import { ClassroomService } from '../classroom/classroom.service';
import { RosterService } from '../roster/roster.service';
import { TenancyService } from '../tenancy/tenancy.service';
import { GradeOutboxRepository, type LatestGrade } from './infra/grade-outbox.repository';
import { ATTENDANCE_TAG } from './grades.service';

/** The most students a gradebook lists. */
const VIEW_LIMIT = 10_000;

const cell = (g: LatestGrade): GradeCellView => ({
  outboxId: g.outboxId,
  scoreGiven: g.scoreGiven,
  scoreMaximum: g.scoreMaximum,
  status: g.status,
  attempts: g.attempts,
  lastError: g.lastError,
  gradedAt: g.gradedAt.toISOString(),
  sentAt: g.sentAt ? g.sentAt.toISOString() : null,
});

/** The instructor's view of the grades of one classroom: each student's latest grade and whether it reached the LMS. */
@Injectable()
export class GradesViewService {
  constructor(
    private readonly outbox: GradeOutboxRepository,
    private readonly tenancy: TenancyService,
    private readonly roster: RosterService,
    private readonly classroom: ClassroomService,
  ) {}

  async view(courseId: string, activityId: string): Promise<GradebookView> {
    const [activity, connection, members, latest, timeZone, classes, enrolled] = await Promise.all([
      this.tenancy.gradedActivity(activityId, courseId),
      this.tenancy.courseConnection(courseId),
      this.roster.members(courseId),
      this.outbox.latest(activityId, ATTENDANCE_TAG),
      this.tenancy.courseTimeZone(courseId),
      this.classroom.recentClasses(activityId, courseId),
      this.tenancy.enrolments(courseId),
    ]);
    // Everyone who ever joined a class launched first, so enrolments name every id attendance reports.
    const userIds = new Map(enrolled.map((e) => [e.subject, e.userId]));
    const subjects = new Map((await this.tenancy.users(latest.map((g) => g.userId))).map((u) => [u.id, u.subject]));
    const bySubject = new Map<string, LatestGrade>();
    for (const g of latest) {
      const subject = subjects.get(g.userId);
      if (subject !== undefined) bySubject.set(subject, g);
    }
    const students = members.filter((m) => m.role === 'learner').slice(0, VIEW_LIMIT);
    return {
      attendancePoints: activity?.attendancePoints ?? null,
      agsOffered: Boolean(connection?.agsLineItemsUrl),
      timeZone: timeZone ?? 'UTC',
      classes: classes.map((c) => ({
        sessionId: c.id,
        startedAt: c.startedAt.toISOString(),
        endedAt: c.endedAt ? c.endedAt.toISOString() : null,
      })),
      students: students.map((s) => {
        const g = bySubject.get(s.subject);
        return {
          subject: s.subject,
          userId: userIds.get(s.subject) ?? null,
          name: s.name,
          status: s.status,
          attendance: g ? cell(g) : null,
        };
      }),
    };
  }
}
