import { HttpErrorResponse } from '@angular/common/http';
import type { ApiErrorBody } from '@contracts/api';
import { EN } from './i18n/en';

export interface ShownError {
  /** The server's code (or the app's own: OFFLINE, HTTP_500, ...): what the words are chosen by. */
  code: string;
  /** The server's English message: shown only for a code the app has no words for. */
  message: string;
  /** The person must launch again from the LMS (session gone or expired). */
  relaunch: boolean;
}

/** Codes that mean the session is over: the only way on is a new launch from the course. */
const RELAUNCH_CODES = new Set([
  'UNAUTHENTICATED',
  'NO_SESSION',
  'SESSION_EXPIRED',
  'SESSION_INVALID',
  'LAUNCH_CODE_INVALID',
  'LAUNCH_CODE_MISSING',
  'NOT_ENROLLED',
  'PLATFORM_DISABLED',
]);

/** Turns an API failure into something to show a person (the words come from `errorKey`). */
export function toShownError(err: unknown): ShownError {
  if (err instanceof HttpErrorResponse) {
    const body = err.error as Partial<ApiErrorBody> | null;
    if (body?.error && typeof body.error.code === 'string') {
      const code = body.error.code;
      return {
        code,
        message: String(body.error.message ?? ''),
        relaunch: err.status === 401 || RELAUNCH_CODES.has(code),
      };
    }
    if (err.status === 0) return { code: 'OFFLINE', message: 'Lectern cannot be reached.', relaunch: false };
    return { code: `HTTP_${err.status}`, message: 'Lectern answered with an error.', relaunch: err.status === 401 };
  }
  return { code: 'UNEXPECTED', message: 'Something went wrong.', relaunch: false };
}

/** An error the app raises itself (no request involved). */
export function appError(code: string, message = ''): ShownError {
  return { code, message, relaunch: RELAUNCH_CODES.has(code) };
}

const KNOWN = new Set(Object.keys(EN.errors));

/**
 * The translation key for an error: its code's own words when the app has them, else words by kind
 * (HTTP_5xx: "try again"), else null, and the server's message is shown.
 */
export function errorKey(e: Pick<ShownError, 'code' | 'message'>): string | null {
  if (KNOWN.has(e.code)) return `errors.${e.code}`;
  if (/^HTTP_5\d\d$/.test(e.code)) return 'errors.INTERNAL';
  if (!e.message) return 'errors.UNEXPECTED';
  return null;
}

/** English role names, for templates not translated yet (translated ones use `roles.<role>`). */
export const ROLE_LABELS: Record<string, string> = EN.roles;
