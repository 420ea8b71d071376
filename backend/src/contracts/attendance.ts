/**
 * Attendance: the one socket event (Page Visibility reports) and every HTTP body and view, in one place.
 * See backend/src/attendance/PROTOCOL.md. Times on the wire are ISO instants (UTC); `timeZone` says how the
 * course's reports format them (UTC when the course has none stored).
 */
import { z } from 'zod';

export const ATTENDANCE_LIMITS = {
  /** Minutes after the class's start after which a first join is late. */
  lateAfterMinutes: { min: 0, max: 24 * 60 },
  /** Leaving for good this many minutes or more before the class's end is leaving early. */
  leftEarlyMinutes: { min: 0, max: 24 * 60 },
  minActiveMinutes: { min: 0, max: 24 * 60 },
  minActivePercent: { min: 0, max: 100 },
  /** The widest course report. */
  reportDays: 370,
} as const;

// ---- Socket: the client reports Page Visibility changes ----

export const AttendanceEvents = {
  /** A member's tab became visible or hidden (send on join with the current state, and on each change). */
  visibility: 'attendance:visibility',
} as const;

export const attendanceSchemas = {
  [AttendanceEvents.visibility]: z.object({ visible: z.boolean() }).strict(),
} as const;

export type AttendanceEventName = (typeof AttendanceEvents)[keyof typeof AttendanceEvents];
export type AttendancePayload<E extends AttendanceEventName> = z.input<(typeof attendanceSchemas)[E]>;

/** What each client event's ack carries when it succeeds: the server's time of the change. */
export interface AttendanceAckData {
  [AttendanceEvents.visibility]: { visible: boolean; at: string };
}

// ---- Thresholds and grading ----

export const attendanceStatuses = ['present', 'late', 'left-early', 'inactive', 'absent'] as const;
export type AttendanceStatus = (typeof attendanceStatuses)[number];

/** percent: the grade is the share of the class the student was active (× points); threshold: full or zero. */
export const gradingModes = ['percent', 'threshold'] as const;
export type GradingMode = (typeof gradingModes)[number];

const minutes = (r: { min: number; max: number }) => z.number().int().min(r.min).max(r.max);

/**
 * What decides a status. Active = in the room with the page visible. A student below ANY active minimum
 * that is set (null: not used) is inactive; absent: never joined.
 */
export const thresholdsSchema = z
  .object({
    lateAfterMinutes: minutes(ATTENDANCE_LIMITS.lateAfterMinutes),
    leftEarlyMinutes: minutes(ATTENDANCE_LIMITS.leftEarlyMinutes),
    minActiveMinutes: minutes(ATTENDANCE_LIMITS.minActiveMinutes).nullable(),
    minActivePercent: z
      .number()
      .min(ATTENDANCE_LIMITS.minActivePercent.min)
      .max(ATTENDANCE_LIMITS.minActivePercent.max)
      .nullable(),
  })
  .strict();
export type AttendanceThresholds = z.infer<typeof thresholdsSchema>;

/** When neither the platform nor the classroom set any. */
export const DEFAULT_THRESHOLDS: AttendanceThresholds = {
  lateAfterMinutes: 10,
  leftEarlyMinutes: 10,
  minActiveMinutes: null,
  minActivePercent: 50,
};

/**
 * An IANA time zone Intl knows (Europe/Paris, America/New_York, UTC), returned in its canonical spelling;
 * null when it is not one. Offsets (+01:00) and abbreviations (CET, EST: not what a course's local time is) are refused.
 */
export function canonicalTimeZone(name: string): string | null {
  if (name.length > 64 || !/^(UTC|[A-Za-z]+(\/[A-Za-z0-9_+-]+){1,2})$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export const timeZoneSchema = z
  .string()
  .refine((v) => canonicalTimeZone(v) !== null, {
    message: 'not a time zone: give an IANA name such as Europe/Paris or America/New_York',
  })
  .transform((v) => canonicalTimeZone(v)!);

/** PUT /api/attendance/course/time-zone (instructor): the course's zone; null goes back to the platform's default. */
export const courseTimeZoneBodySchema = z.object({ timeZone: timeZoneSchema.nullable() }).strict();
export type CourseTimeZoneBody = z.input<typeof courseTimeZoneBodySchema>;

/**
 * PUT /api/admin/platforms/:id/attendance (the operator's console): the platform's default thresholds and time
 * zone for its courses (null: Lectern's defaults, UTC).
 */
export const platformAttendanceBodySchema = z
  .object({ thresholds: thresholdsSchema.nullable(), timeZone: timeZoneSchema.nullable() })
  .strict();
export type PlatformAttendanceBody = z.input<typeof platformAttendanceBodySchema>;

/** GET /api/admin/platforms/:id/attendance and the answer of its PUT. */
export interface PlatformAttendanceView {
  platformId: string;
  /** Null: Lectern's defaults (below) apply. */
  thresholds: AttendanceThresholds | null;
  timeZone: string | null;
  defaults: AttendanceThresholds;
}

/** PUT /api/attendance/settings (admin): the platform's default thresholds. */
export const platformSettingsBodySchema = z.object({ thresholds: thresholdsSchema }).strict();
export type PlatformSettingsBody = z.infer<typeof platformSettingsBodySchema>;

/**
 * PUT /api/attendance/classroom/settings (instructor, the classroom of the session token): thresholds of
 * its own (null: the platform's), how its attendance grade is computed, and whether it is computed at all
 * (the classroom's attendance points, set by deep linking or the grades page, are the maximum).
 */
export const classroomSettingsBodySchema = z
  .object({
    thresholds: thresholdsSchema.nullable(),
    gradingMode: z.enum(gradingModes),
    autoGrade: z.boolean(),
  })
  .strict();
export type ClassroomSettingsBody = z.infer<typeof classroomSettingsBodySchema>;

/** GET /api/attendance/classroom/settings and the answer of both PUTs. */
export interface AttendanceSettingsView {
  platform: AttendanceThresholds;
  /** Null: the classroom uses the platform's. */
  classroom: AttendanceThresholds | null;
  /** What applies to this classroom now. */
  effective: AttendanceThresholds;
  gradingMode: GradingMode;
  autoGrade: boolean;
  /** The classroom's attendance points (null: attendance is not graded, nothing is posted). */
  points: number | null;
  /** IANA zone the reports use: the course's own, else the platform's default, else 'UTC'. */
  timeZone: string;
  /** The course's own zone (null: none set, the platform's default applies). */
  courseTimeZone: string | null;
  /** The platform's default zone (null: UTC). */
  platformTimeZone: string | null;
}

// ---- Views ----

/** GET /api/attendance/live (instructor): the class now. */
export interface LiveAttendance {
  sessionId: string | null;
  startedAt: string | null;
  serverNow: string;
  students: LiveStudent[];
}

export interface LiveStudent {
  userId: string;
  name: string;
  /** In the room now (any tab). */
  here: boolean;
  /** In the room with no visible tab: flagged inactive. */
  inactive: boolean;
  /** Since when the student is in their current state (joined, hidden, visible or left). */
  since: string | null;
  presentMs: number;
  activeMs: number;
}

/** One student in one class. Students who never joined are rows with status absent and null times. */
export interface SessionReportRow {
  userId: string;
  name: string;
  firstJoin: string | null;
  lastLeave: string | null;
  presentMs: number;
  activeMs: number;
  status: AttendanceStatus;
  /** The attendance grade computed at the class's end (null: none; see gradeSource). */
  grade: number | null;
  /** auto: posted by attendance; manual: the instructor's grade, kept; null: not graded. */
  gradeSource: 'auto' | 'manual' | null;
}

/** GET /api/attendance/sessions/:sessionId/report (.csv too). */
export interface SessionReport {
  sessionId: string;
  classroomTitle: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number;
  timeZone: string;
  thresholds: AttendanceThresholds;
  rows: SessionReportRow[];
}

/** GET /api/attendance/report?from=YYYY-MM-DD&to=YYYY-MM-DD (.csv too): the course's classes in [from, to] (course's zone). */
export const courseReportQuerySchema = z
  .object({
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  })
  .strict();
export type CourseReportQuery = z.infer<typeof courseReportQuerySchema>;

export interface CourseReport {
  courseTitle: string;
  from: string;
  to: string;
  timeZone: string;
  sessions: Array<{ sessionId: string; classroomTitle: string; startedAt: string; endedAt: string | null }>;
  /** Per student over the period: counts of each status, and the sums. */
  students: Array<{
    userId: string;
    name: string;
    sessions: Array<{ sessionId: string; status: AttendanceStatus; presentMs: number; activeMs: number }>;
    counts: Record<AttendanceStatus, number>;
    presentMs: number;
    activeMs: number;
  }>;
}

// ---- Guardian contacts and report subscriptions ----

/**
 * GET /api/attendance/contacts: the contacts the course's instructors imported (POST text/csv with columns
 * student, guardian_email[, guardian_name]; all or nothing, each problem naming its line) and the LMS's observers
 * of its students (from their launches and NRPS). Both get the attendance notes of their student.
 */
export interface GuardianContactsView {
  contacts: Array<{ subject: string; email: string; name: string | null }>;
  observers: Array<{ subject: string; email: string; name: string | null; source: 'launch' | 'nrps' }>;
}

/** The answer of POST /api/attendance/contacts. */
export interface ContactsImportResult {
  imported: number;
  students: number;
}

export const reportFrequencies = ['weekly', 'monthly'] as const;
export type ReportFrequency = (typeof reportFrequencies)[number];

/** GET / PUT (body { frequency }) / DELETE /api/attendance/report-subscription: the course report by mail. */
export interface ReportSubscriptionView {
  subscription: { frequency: ReportFrequency; email: string; lastPeriodEnd: string | null } | null;
}

export const AttendanceErrors = {
  sessionNotFound: 'SESSION_NOT_FOUND',
  badRange: 'BAD_RANGE',
  badTimeZone: 'BAD_TIME_ZONE',
} as const;
