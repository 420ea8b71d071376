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

/** An ltiResourceLink content item that opens this classroom; with a line item when attendance is graded. */
export function classroomContentItem(toolUrl: string, c: ClassroomChoice): Record<string, unknown> {
  const when = c.scheduledFor
    ? `Live class on ${c.scheduledFor.toISOString().replace('T', ' ').slice(0, 16)} UTC.`
    : null;
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
