import { HttpErrorResponse } from '@angular/common/http';
import type { ApiErrorBody } from '@contracts/api';

export interface ShownError {
  code: string;
  message: string;
  /** The person must launch again from the LMS (session gone or expired). */
  relaunch: boolean;
}

/** Turns an API failure into something to show a person. */
export function toShownError(err: unknown): ShownError {
  if (err instanceof HttpErrorResponse) {
    const body = err.error as Partial<ApiErrorBody> | null;
    if (body?.error) {
      return { code: body.error.code, message: body.error.message, relaunch: err.status === 401 };
    }
    if (err.status === 0)
      return { code: 'OFFLINE', message: 'Lectern cannot be reached. Check your connection.', relaunch: false };
    return { code: `HTTP_${err.status}`, message: 'Lectern answered with an error.', relaunch: err.status === 401 };
  }
  return { code: 'UNEXPECTED', message: 'Something went wrong.', relaunch: false };
}

export const ROLE_LABELS: Record<string, string> = {
  administrator: 'Administrator',
  instructor: 'Instructor',
  teaching_assistant: 'Teaching assistant',
  learner: 'Student',
  guest: 'Guest',
};
