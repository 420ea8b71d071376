/**
 * Class control over HTTP: guest invite links (the instructor's side and the guest's), the waiting room
 * switch, and the summary of a class that ended. Shared by the backend and the Angular app (@contracts).
 * The live side (waiting list, locks, asking to unmute) is in realtime.ts.
 */
import type { CourseRole, SessionExchangeResponse } from './api';

export interface GuestLinkView {
  id: string;
  label: string | null;
  expiresAt: string;
  singleUse: boolean;
  needsAdmission: boolean;
  usedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  /** Guests who came by it. */
  guests: number;
}

/** A link just made: the only time its URL is shown (it is not stored; revoke and make another). */
export interface GuestLinkCreated {
  link: GuestLinkView;
  url: string;
}

/** What a guest's page shows before they give their name. */
export interface GuestLinkInfo {
  courseTitle: string;
  classroomTitle: string;
  /** A class of the classroom is live now (the guest can enter only then). */
  live: boolean;
  needsAdmission: boolean;
}

/** A guest's session: for the one class they were let into. */
export interface GuestEnterResponse extends SessionExchangeResponse {
  landing: 'guest';
  sessionId: string;
}

export interface ClassSummary {
  sessionId: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number;
  /** Everyone who came in (guests marked by their role). */
  people: Array<{ name: string; role: CourseRole }>;
  /** The saved board (the app's `/board/:sessionId` page). */
  boardPath: string;
}

export interface ClassroomControlSettings {
  waitingRoom: boolean;
}
