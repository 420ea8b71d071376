/**
 * The HTTP API's response shapes, shared by the backend and the Angular app
 * (imported there through the @contracts alias). Plain types only.
 */
/**
 * A person's role in a course. `guest`: someone with no LMS account who came by an instructor's invite
 * link; bound to one class, never graded, refused everything outside that class (platform/auth/guest-access.ts).
 * `designer` (LIS ContentDeveloper, Canvas's designers): prepares and runs classes like an instructor, but
 * never sees or changes grades and is never graded. `observer` (LIS Mentor, Canvas's observers and
 * Moodle's parents; also a launch whose roles claim is empty): watches and reads the class, sends nothing
 * into it, is never graded (platform/auth/observer-access.ts).
 */
export type CourseRole =
  'administrator' | 'instructor' | 'teaching_assistant' | 'designer' | 'learner' | 'observer' | 'guest';

export interface SessionExchangeResponse {
  token: string;
  expiresAt: string;
  /** Where the app opens: the classroom lobby, the deep-linking page, or (a guest by invite link) their class. */
  landing: 'lobby' | 'deep-link' | 'guest';
  /**
   * The LMS's language for this person (the launch's launch_presentation.locale, a BCP 47 tag such as
   * `es` or `es-419`); absent or null when the LMS sent none (the app then follows the browser). Only the
   * exchange carries it: a refresh leaves it out and the app keeps the one it has.
   */
  locale?: string | null;
  /** The LMS page to go back to (launch_presentation.return_url), for "open Lectern again from your course". */
  returnUrl?: string | null;
}

export interface LiveSessionView {
  id: string;
  activityId: string;
  startedAt: string;
  startedBy: string;
  endedAt: string | null;
}

export interface LobbyView {
  /** `timeZone`: the IANA zone the course's times are shown in (UTC when the course has none). */
  course: { id: string; title: string; label: string | null; timeZone: string };
  activity: { id: string; title: string; description: string | null; attendancePoints: number | null };
  me: { id: string; name: string; role: CourseRole; canTeach: boolean };
  liveSession: LiveSessionView | null;
}

export interface StartClassResponse {
  session: LiveSessionView;
  created: boolean;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: string[] };
}

export interface RosterMemberView {
  subject: string;
  name: string;
  email: string | null;
  role: CourseRole | null;
  /** The member's status in the LMS. */
  status: 'active' | 'inactive' | 'deleted';
  /** When they last launched Lectern from this course; null: never launched. */
  lastLaunchAt: string | null;
  /** When they last joined a live class of this course (attendance's records); null: never attended. */
  lastAttendedAt: string | null;
  /** Live classes of this course they joined. */
  classesAttended: number;
  /** In a live class of this course right now. */
  hereNow: boolean;
  /** Listed by the LMS roster (NRPS), or only known from a launch. */
  source: 'lms' | 'launch';
}

export interface RosterSyncView {
  status: 'running' | 'ok' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  members: number | null;
  pages: number | null;
  error: string | null;
}

export interface RosterView {
  /** IANA zone the course's times are shown in (UTC when the course has none). */
  timeZone: string;
  rosterServiceOffered: boolean;
  sync: RosterSyncView | null;
  members: RosterMemberView[];
}

export type GradeSyncStatus = 'pending' | 'sent' | 'failed';

export interface GradeCellView {
  outboxId: string;
  scoreGiven: number;
  scoreMaximum: number;
  status: GradeSyncStatus;
  attempts: number;
  lastError: string | null;
  gradedAt: string;
  sentAt: string | null;
}

/** A class of the classroom (the grades page shows each student's attendance in one of them). */
export interface ClassSummaryView {
  sessionId: string;
  startedAt: string;
  endedAt: string | null;
}

export interface GradebookView {
  attendancePoints: number | null;
  agsOffered: boolean;
  /** IANA zone the course's times are shown in (UTC when the course has none). */
  timeZone: string;
  /** The classroom's classes, newest first (at most 50): their attendance comes from /api/attendance/sessions/:id/report. */
  classes: ClassSummaryView[];
  students: Array<{
    subject: string;
    /** Lectern's id of the person (matches attendance reports' userId); null: never launched Lectern. */
    userId: string | null;
    name: string;
    status: 'active' | 'inactive' | 'deleted';
    attendance: GradeCellView | null;
  }>;
}

/** The most grades one save (PUT /api/grades/attendance) takes. */
export const MAX_GRADES_PER_SAVE = 2000;

/** PUT /api/grades/attendance: several students' attendance grades saved at once (all or none). */
export interface AttendanceGradesBody {
  grades: Array<{ subject: string; scoreGiven: number }>;
}

/** Its answer: how many grades were recorded and queued for the LMS. */
export interface AttendanceGradesSaved {
  saved: number;
}

export type LaunchLanding = 'lobby' | 'deep-link';

export interface DeepLinkingView {
  course: { title: string };
  acceptMultiple: boolean;
  classrooms: Array<{ id: string; title: string; attendancePoints: number | null; scheduledFor: string | null }>;
}

export interface NewClassroomChoice {
  title: string;
  description?: string;
  /** ISO date-time of the first live class. */
  scheduledFor?: string;
  attendancePoints?: number;
  quizPoints?: number;
  /** The instructor's interface language (BCP 47): the link's text is written in it. */
  locale?: string;
}

export interface DeepLinkingResponse {
  returnUrl: string;
  jwt: string;
}

export interface AdminPlatformView {
  id: string;
  issuer: string;
  clientId: string;
  name: string;
  active: boolean;
  source: 'manual' | 'dynamic';
  acceptNewDeployments: boolean;
  deployments: string[];
  courses: number;
  createdAt: string;
  /** The most recent launch from this platform (any course), null before the first. */
  lastLaunchAt: string | null;
  /** Grade passback to this platform's gradebooks: scores waiting, scores that failed and why (latest). */
  grades: { pending: number; failed: number; lastFailure: { reason: string; at: string } | null };
}

/** A one-time Dynamic Registration URL for one LMS (admin console → Registration invite). */
export interface RegistrationInviteView {
  url: string;
  expiresAt: string;
}
