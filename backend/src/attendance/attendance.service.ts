import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { PresenceService } from '../classroom/presence.service';
import {
  AttendanceErrors,
  DEFAULT_THRESHOLDS,
  type AttendanceSettingsView,
  type AttendanceThresholds,
  type ClassroomSettingsBody,
  type CourseReport,
  type CourseReportQuery,
  type LiveAttendance,
  type PlatformAttendanceView,
  type SessionReport,
  type SessionReportRow,
} from '../contracts/attendance';
import { ATTENDANCE_TAG, GradesService } from '../grades/grades.service';
import { NotFoundError, ValidationError } from '../platform/domain-error';
import { DomainEvents } from '../platform/domain-events';
import type { ClassMembership } from '../platform/socket-events';
import { TenancyService } from '../tenancy/tenancy.service';
import { classify, factsOf, gradeOf, periodOf, type AttendanceFacts } from './domain/attendance';
import { AttendanceRepository, type ClassRow } from './infra/attendance.repository';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const DAY = 86_400_000;

interface ComputedRow {
  userId: string;
  name: string;
  facts: AttendanceFacts;
  status: SessionReportRow['status'];
}

/**
 * Attendance that keeps itself: spans from the room's domain events (an instance's death ends its people's
 * spans at its last heartbeat, from the presence sweep), tab visibility from the socket, reports computed
 * from Postgres, and the attendance grade computed when the class ends (PROTOCOL.md).
 */
@Injectable()
export class AttendanceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Attendance');
  private readonly subs: Subscription[] = [];
  /** Writes in flight (tests and shutdown wait for them). */
  private readonly pending = new Set<Promise<unknown>>();
  private catchUpTimer?: NodeJS.Timeout;

  constructor(
    private readonly repo: AttendanceRepository,
    private readonly events: DomainEvents,
    private readonly presence: PresenceService,
    private readonly grades: GradesService,
    private readonly tenancy: TenancyService,
  ) {}

  onModuleInit(): void {
    this.subs.push(
      this.events.on('participant.joined').subscribe((e) => this.track('join', () => this.repo.openSpan(e))),
      this.events.on('participant.left').subscribe((e) => {
        // A dead instance's people: ended at its last beat by the ghostsLeft stream below, not now.
        if (e.reason === 'lost') return;
        this.track('leave', () => this.repo.closeSpans(e.sessionId, e.userId, e.at, e.reason));
      }),
      this.presence.ghostsLeft.subscribe(({ sessionId, left }) =>
        this.track('lost', async () => {
          for (const { userId, at } of left) await this.repo.closeSpans(sessionId, userId, at, 'lost');
        }),
      ),
      this.events.on('session.ended').subscribe((e) =>
        this.track('end', async () => {
          await this.repo.closeSpans(e.sessionId, null, e.at, 'ended');
          await this.gradeClass(e.sessionId, e.courseId);
        }),
      ),
    );
    this.track('catch-up', () => this.catchUp());
    this.catchUpTimer = setInterval(() => this.track('catch-up', () => this.catchUp()), 60_000);
    this.catchUpTimer.unref();
  }

  /**
   * Grades classes whose end this module never heard (the instance that ended them died first): run at
   * start and every minute; grading twice is harmless (results are written once per class and person).
   */
  async catchUp(): Promise<number> {
    const missed = await this.repo.ungradedEnded();
    for (const c of missed) {
      await this.repo.closeSpans(c.id, null, c.endedAt, 'ended');
      await this.gradeClass(c.id, c.courseId);
    }
    return missed.length;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.catchUpTimer);
    for (const s of this.subs) s.unsubscribe();
    await this.settled();
  }

  /** Resolves when the writes started so far are done. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track(what: string, work: () => Promise<unknown>): void {
    const p = work()
      .catch((e) => this.logger.warn(`attendance ${what} failed: ${(e as Error).message}`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** A tab's Page Visibility change, at the server's time. */
  async visibility(m: ClassMembership, tab: string, visible: boolean): Promise<{ visible: boolean; at: string }> {
    const at = new Date();
    await this.repo.addVisibility({ sessionId: m.sessionId, userId: m.userId, tab, visible, at });
    return { visible, at: at.toISOString() };
  }

  // ---- Settings ----

  private async effective(platformId: string, activityId: string) {
    const [platform, classroom] = await Promise.all([
      this.repo.platformThresholds(platformId),
      this.repo.classroomSettings(activityId),
    ]);
    const p = platform ?? DEFAULT_THRESHOLDS;
    return { platform: p, classroom, thresholds: classroom.thresholds ?? p };
  }

  async settings(platformId: string, courseId: string, activityId: string): Promise<AttendanceSettingsView> {
    const [{ platform, classroom, thresholds }, activity, course] = await Promise.all([
      this.effective(platformId, activityId),
      this.tenancy.gradedActivity(activityId, courseId),
      this.repo.courseInfo(courseId),
    ]);
    return {
      platform,
      classroom: classroom.thresholds,
      effective: thresholds,
      gradingMode: classroom.gradingMode,
      autoGrade: classroom.autoGrade,
      points: activity?.attendancePoints ?? null,
      timeZone: course?.timeZone ?? 'UTC',
      courseTimeZone: course?.own ?? null,
      platformTimeZone: course?.platform ?? null,
    };
  }

  /** Sets the course's own time zone (validated and canonical); null: the platform's default applies. */
  async saveCourseTimeZone(courseId: string, timeZone: string | null): Promise<void> {
    await this.tenancy.setCourseTimeZone(courseId, timeZone);
  }

  /** The platform's defaults as the operator's console shows them. */
  async platformDefaults(platformId: string): Promise<PlatformAttendanceView> {
    const p = await this.repo.platformSettings(platformId);
    return { platformId, thresholds: p.thresholds, timeZone: p.timeZone, defaults: DEFAULT_THRESHOLDS };
  }

  async savePlatformDefaults(
    platformId: string,
    s: { thresholds: AttendanceThresholds | null; timeZone: string | null },
  ): Promise<PlatformAttendanceView> {
    await this.repo.savePlatformSettings(platformId, s);
    return this.platformDefaults(platformId);
  }

  async savePlatform(platformId: string, t: AttendanceThresholds): Promise<void> {
    await this.repo.savePlatformThresholds(platformId, t);
  }

  async saveClassroom(activityId: string, body: ClassroomSettingsBody): Promise<void> {
    await this.repo.saveClassroomSettings(activityId, body);
  }

  // ---- Computing ----

  private compute(
    cls: ClassRow,
    end: number,
    thresholds: AttendanceThresholds,
    students: Array<{ userId: string; name: string }>,
    spans: Awaited<ReturnType<AttendanceRepository['spans']>>,
    reports: Awaited<ReturnType<AttendanceRepository['visibility']>>,
  ): ComputedRow[] {
    const start = cls.startedAt.getTime();
    return students.map((s) => {
      const facts = factsOf(
        spans.filter((x) => x.sessionId === cls.id && x.userId === s.userId),
        reports.filter((x) => x.sessionId === cls.id && x.userId === s.userId),
        start,
        end,
      );
      return { ...s, facts, status: classify(facts, thresholds, start, end) };
    });
  }

  /**
   * The class ended: each student's attendance is recorded once, and, when the classroom is graded and
   * automatic grading is on, their grade goes to the outbox, unless the instructor graded them by hand.
   */
  async gradeClass(sessionId: string, courseId: string): Promise<void> {
    const cls = await this.repo.classOf(sessionId, courseId);
    if (!cls?.endedAt) return;
    const { classroom, thresholds } = await this.effective(cls.platformId, cls.activityId);
    const activity = await this.tenancy.gradedActivity(cls.activityId, courseId);
    const points = classroom.autoGrade ? (activity?.attendancePoints ?? null) : null;
    const end = cls.endedAt.getTime();
    const duration = end - cls.startedAt.getTime();
    const [students, spans, reports] = await Promise.all([
      this.repo.students(courseId, [sessionId]),
      this.repo.spans([sessionId]),
      this.repo.visibility([sessionId]),
    ]);
    const rows = this.compute(cls, end, thresholds, students, spans, reports);
    const queued = await this.repo.transaction(async (tx) => {
      await this.repo.lockClass(tx, sessionId);
      const manual = points
        ? await this.repo.manuallyGraded(
            cls.activityId,
            ATTENDANCE_TAG,
            rows.map((r) => r.userId),
            tx,
          )
        : new Set<string>();
      const out: string[] = [];
      for (const r of rows) {
        const byHand = manual.has(r.userId);
        const score = points && !byHand ? gradeOf(r.facts, classroom.gradingMode, thresholds, duration, points) : null;
        const fresh = await this.repo.saveGrade(tx, sessionId, {
          userId: r.userId,
          status: r.status,
          presentMs: r.facts.presentMs,
          activeMs: r.facts.activeMs,
          score,
          source: byHand ? 'manual' : score === null ? null : 'auto',
          outboxId: null,
          thresholds,
        });
        if (!fresh || score === null || !points) continue;
        const outboxId = await this.grades.record(tx, {
          courseId,
          activityId: cls.activityId,
          userId: r.userId,
          tag: ATTENDANCE_TAG,
          label: `Attendance: ${cls.classroomTitle}`,
          scoreGiven: score,
          scoreMaximum: points,
          comment: `${r.status}; active ${Math.round(r.facts.activeMs / 60_000)} of ${Math.round(duration / 60_000)} min`,
        });
        await this.repo.setGradeOutbox(tx, sessionId, r.userId, outboxId);
        out.push(outboxId);
      }
      return out;
    });
    // After the commit; a queue that is down now is caught up by the grades sweep (pending rows without a job).
    for (const id of queued) await this.grades.enqueue(id);
  }

  // ---- Views ----

  async live(courseId: string, activityId: string): Promise<LiveAttendance> {
    const now = Date.now();
    const cls = await this.repo.liveClass(activityId, courseId);
    if (!cls) return { sessionId: null, startedAt: null, serverNow: iso(now)!, students: [] };
    const { thresholds } = await this.effective(cls.platformId, cls.activityId);
    const [students, spans, reports] = await Promise.all([
      this.repo.students(courseId, [cls.id]),
      this.repo.spans([cls.id]),
      this.repo.visibility([cls.id]),
    ]);
    const rows = this.compute(cls, now, thresholds, students, spans, reports);
    return {
      sessionId: cls.id,
      startedAt: cls.startedAt.toISOString(),
      serverNow: iso(now)!,
      students: rows.map((r) => {
        const mine = reports.filter((x) => x.userId === r.userId);
        const mySpans = spans.filter((x) => x.userId === r.userId);
        const here = mySpans.some((s) => s.leftAt === null);
        const lastByTab = new Map<string, boolean>();
        for (const v of mine) lastByTab.set(v.tab, v.visible);
        const visibleNow = mine.length === 0 || [...lastByTab.values()].some(Boolean);
        const changes = [...mySpans.flatMap((s) => [s.joinedAt, s.leftAt ?? 0]), ...mine.map((v) => v.at)].filter(
          (x) => x > 0,
        );
        return {
          userId: r.userId,
          name: r.name,
          here,
          inactive: here && !visibleNow,
          since: changes.length ? iso(Math.max(...changes)) : null,
          presentMs: r.facts.presentMs,
          activeMs: r.facts.activeMs,
        };
      }),
    };
  }

  async sessionReport(courseId: string, sessionId: string): Promise<SessionReport> {
    const cls = await this.repo.classOf(sessionId, courseId);
    if (!cls) throw new NotFoundError(AttendanceErrors.sessionNotFound, 'No such class in your course');
    const [r] = await this.reports([cls]);
    return r;
  }

  private async reports(classes: ClassRow[]): Promise<SessionReport[]> {
    if (classes.length === 0) return [];
    const ids = classes.map((c) => c.id);
    const courseId = classes[0].courseId;
    const [students, spans, reports, graded] = await Promise.all([
      this.repo.students(courseId, ids),
      this.repo.spans(ids),
      this.repo.visibility(ids),
      this.repo.grades(ids),
    ]);
    const now = Date.now();
    const out: SessionReport[] = [];
    for (const cls of classes) {
      const { thresholds: current } = await this.effective(cls.platformId, cls.activityId);
      const recorded = graded.filter((g) => g.sessionId === cls.id);
      // An ended class is reported with the thresholds that graded it.
      const thresholds = recorded[0]?.thresholds ?? current;
      const end = cls.endedAt?.getTime() ?? now;
      const rows = this.compute(cls, end, thresholds, students, spans, reports);
      out.push({
        sessionId: cls.id,
        classroomTitle: cls.classroomTitle,
        startedAt: cls.startedAt.toISOString(),
        endedAt: cls.endedAt?.toISOString() ?? null,
        durationMs: end - cls.startedAt.getTime(),
        timeZone: cls.timeZone ?? 'UTC',
        thresholds,
        rows: rows.map((r) => {
          const g = recorded.find((x) => x.userId === r.userId);
          return {
            userId: r.userId,
            name: r.name,
            firstJoin: iso(r.facts.firstJoin),
            lastLeave: iso(r.facts.lastLeave),
            presentMs: r.facts.presentMs,
            activeMs: r.facts.activeMs,
            status: r.status,
            grade: g?.score ?? null,
            gradeSource: g?.source ?? null,
          };
        }),
      });
    }
    return out;
  }

  async courseReport(courseId: string, q: CourseReportQuery): Promise<CourseReport> {
    const course = await this.repo.courseInfo(courseId);
    if (!course) throw new NotFoundError('COURSE_NOT_FOUND', 'No such course');
    const timeZone = course.timeZone ?? 'UTC';
    if (q.from > q.to) throw new ValidationError('`from` must not be after `to`', [AttendanceErrors.badRange]);
    const period = periodOf(q.from, q.to, timeZone);
    if (period.end - period.start > 371 * DAY)
      throw new ValidationError('A report covers at most 370 days', [AttendanceErrors.badRange]);
    const classes = await this.repo.classesIn(courseId, new Date(period.start), new Date(period.end));
    const reports = await this.reports(classes);
    const byStudent = new Map<string, CourseReport['students'][number]>();
    for (const r of reports)
      for (const row of r.rows) {
        const s = byStudent.get(row.userId) ?? {
          userId: row.userId,
          name: row.name,
          sessions: [],
          counts: { present: 0, late: 0, 'left-early': 0, inactive: 0, absent: 0 },
          presentMs: 0,
          activeMs: 0,
        };
        s.sessions.push({
          sessionId: r.sessionId,
          status: row.status,
          presentMs: row.presentMs,
          activeMs: row.activeMs,
        });
        s.counts[row.status]++;
        s.presentMs += row.presentMs;
        s.activeMs += row.activeMs;
        byStudent.set(row.userId, s);
      }
    return {
      courseTitle: course.title,
      from: q.from,
      to: q.to,
      timeZone,
      sessions: reports.map((r) => ({
        sessionId: r.sessionId,
        classroomTitle: r.classroomTitle,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
      })),
      students: [...byStudent.values()].sort((a, b) => a.name.localeCompare(b.name)),
    };
  }
}
