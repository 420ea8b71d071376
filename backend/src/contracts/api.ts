/**
 * The HTTP API's response shapes, shared by the backend and the Angular app
 * (imported there through the @contracts alias). Plain types only.
 */
export type CourseRole = 'administrator' | 'instructor' | 'teaching_assistant' | 'learner';

export interface SessionExchangeResponse {
  token: string;
  expiresAt: string;
}

export interface LiveSessionView {
  id: string;
  activityId: string;
  startedAt: string;
  startedBy: string;
  endedAt: string | null;
}

export interface LobbyView {
  course: { id: string; title: string; label: string | null };
  activity: { id: string; title: string; description: string | null };
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
