/** LTI Deep Linking 2.0: the content item for a classroom and the response message. Pure. */
import { LTI } from '../../tenancy/domain/launch-identity';

export interface ClassroomChoice {
  id: string;
  title: string;
  description: string | null;
  attendancePoints: number | null;
  scheduledFor: Date | null;
}

/** The tag of the attendance line item, shared with the grade outbox so both find the same line item. */
export const ATTENDANCE_LINE_ITEM_TAG = 'lectern:attendance';

/** How the link's text says when the first class is, in the languages the app speaks (English otherwise). */
const LIVE_CLASS_ON: Record<string, (when: string, zone: string) => string> = {
  en: (when, zone) => `Live class on ${when} (${zone}).`,
  es: (when, zone) => `Clase en directo el ${when} (${zone}).`,
};

/** Where and in which words the LMS shows the link's text: the instructor's language, the course's zone. */
export interface LinkTextStyle {
  locale: string;
  timeZone: string;
}

/** "Live class on Tuesday, December 1, 2026 at 9:00 AM (America/New_York)." in the style's language and zone. */
export function liveClassText(at: Date, style: LinkTextStyle): string {
  let zone = style.timeZone;
  let when: string;
  try {
    when = new Intl.DateTimeFormat(style.locale, { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(at);
  } catch {
    zone = 'UTC';
    when = new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(at);
  }
  const words = LIVE_CLASS_ON[style.locale.split('-')[0].toLowerCase()] ?? LIVE_CLASS_ON.en;
  return words(when, zone);
}

/** An ltiResourceLink content item that opens this classroom; with a line item when attendance is graded. */
export function classroomContentItem(
  toolUrl: string,
  c: ClassroomChoice,
  style: LinkTextStyle = { locale: 'en', timeZone: 'UTC' },
): Record<string, unknown> {
  const when = c.scheduledFor ? liveClassText(c.scheduledFor, style) : null;
  const text = [c.description, when].filter(Boolean).join(' ') || undefined;
  return {
    type: 'ltiResourceLink',
    title: c.title,
    ...(text ? { text } : {}),
    url: `${toolUrl}/lti`,
    custom: { lectern_classroom: c.id },
    ...(c.attendancePoints
      ? {
          lineItem: {
            scoreMaximum: c.attendancePoints,
            label: `Attendance: ${c.title}`,
            resourceId: `lectern:${c.id}`,
            tag: ATTENDANCE_LINE_ITEM_TAG,
          },
        }
      : {}),
    ...(c.scheduledFor ? { available: { startDateTime: c.scheduledFor.toISOString() } } : {}),
  };
}

export function deepLinkingResponseClaims(p: {
  clientId: string;
  platformIssuer: string;
  deploymentId: string;
  data: string | null;
  items: Record<string, unknown>[];
  nonce: string;
}): Record<string, unknown> {
  return {
    iss: p.clientId,
    aud: p.platformIssuer,
    nonce: p.nonce,
    [LTI.deploymentId]: p.deploymentId,
    [LTI.messageType]: 'LtiDeepLinkingResponse',
    [LTI.version]: '1.3.0',
    'https://purl.imsglobal.org/spec/lti-dl/claim/content_items': p.items,
    ...(p.data !== null ? { 'https://purl.imsglobal.org/spec/lti-dl/claim/data': p.data } : {}),
  };
}
