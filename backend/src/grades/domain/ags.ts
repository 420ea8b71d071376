/** Assignment and Grade Services: the shapes Lectern sends, and the rules it follows. Pure. */

export const AGS_SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;

export const AGS_MEDIA = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
} as const;

export type ActivityProgress = 'Initialized' | 'Started' | 'InProgress' | 'Submitted' | 'Completed';
export type GradingProgress = 'FullyGraded' | 'Pending' | 'PendingManual' | 'Failed' | 'NotReady';

export interface GradeRecord {
  userSubject: string;
  scoreGiven: number;
  scoreMaximum: number;
  activityProgress: ActivityProgress;
  gradingProgress: GradingProgress;
  comment: string | null;
  /** When the grade was decided (not when it is posted): the LMS keeps the latest by this time. */
  gradedAt: Date;
}

export function agsScore(g: GradeRecord): Record<string, unknown> {
  return {
    userId: g.userSubject,
    scoreGiven: g.scoreGiven,
    scoreMaximum: g.scoreMaximum,
    activityProgress: g.activityProgress,
    gradingProgress: g.gradingProgress,
    timestamp: g.gradedAt.toISOString(),
    ...(g.comment ? { comment: g.comment } : {}),
  };
}

/** The scores endpoint of a line item: `/scores` appended to the path, the query string kept (AGS 2.0 §3.4). */
export function scoresUrl(lineItemUrl: string): string {
  const u = new URL(lineItemUrl);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/scores`;
  return u.toString();
}

export interface LineItemSpec {
  label: string;
  scoreMaximum: number;
  resourceLinkId: string;
  tag: string;
}

export function lineItemBody(spec: LineItemSpec): Record<string, unknown> {
  return { label: spec.label, scoreMaximum: spec.scoreMaximum, resourceLinkId: spec.resourceLinkId, tag: spec.tag };
}

/** Picks the LMS line item made for this grade among a container's items: same resource link and tag. */
export function findLineItem(items: unknown, spec: Pick<LineItemSpec, 'resourceLinkId' | 'tag'>): string | null {
  if (!Array.isArray(items)) return null;
  for (const it of items) {
    if (!it || typeof it !== 'object') continue;
    const li = it as Record<string, unknown>;
    if (typeof li.id === 'string' && li.tag === spec.tag && li.resourceLinkId === spec.resourceLinkId) return li.id;
  }
  return null;
}

/** Delay before retry `attempt` (1-based) of a grade post: exponential from `baseMs`, capped. */
export function retryDelayMs(attempt: number, baseMs: number, capMs = 3_600_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Attempts needed so that retries keep going for at least `windowMs` (an LMS down for hours loses nothing). */
export function attemptsFor(windowMs: number, baseMs: number, capMs = 3_600_000): number {
  let total = 0;
  let n = 0;
  while (total < windowMs) total += retryDelayMs(++n, baseMs, capMs);
  return n + 1;
}
