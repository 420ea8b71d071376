/**
 * LMS observers (LIS role Mentor: Canvas's observers, Moodle's parents/mentors) and the students they observe,
 * as LTI says it: the `role_scope_mentor` claim lists the user ids (the `sub` of each student) a Mentor may
 * see. It comes in the observer's own launch, and in an NRPS member's `message` section where the LMS
 * gives one. Pure: no I/O.
 */

export const ROLE_SCOPE_MENTOR = 'https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor';
const MENTOR_ROLE = /^(http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership#Mentor|Mentor)$/;
const MENTOR_SUB_ROLE = /^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership\/Mentor#/;

/** At most this many students per observer are kept (a parent of a whole class is a mistake, not a family). */
export const MAX_OBSERVED = 50;

export interface ObserverLink {
  observerSubject: string;
  studentSubject: string;
  email: string | null;
  name: string | null;
}

export const isMentor = (roles: readonly string[]): boolean =>
  roles.some((r) => MENTOR_ROLE.test(r) || MENTOR_SUB_ROLE.test(r));

const ids = (v: unknown): string[] =>
  Array.isArray(v)
    ? [
        ...new Set(
          v
            .filter((x): x is string => typeof x === 'string' && x.trim() !== '' && x.length <= 255)
            .map((x) => x.trim()),
        ),
      ].slice(0, MAX_OBSERVED)
    : [];

const text = (v: unknown, max: number): string | null =>
  typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null;

/** The links an observer's launch claims (none unless the launch has the Mentor role and names students). */
export function observerLinksFromLaunch(claims: Record<string, unknown>, roles: readonly string[]): ObserverLink[] {
  const observer = text(claims.sub, 255);
  if (!observer || !isMentor(roles)) return [];
  const email = text(claims.email, 320)?.toLowerCase() ?? null;
  const name = text(claims.name, 255);
  return ids(claims[ROLE_SCOPE_MENTOR])
    .filter((s) => s !== observer)
    .map((studentSubject) => ({ observerSubject: observer, studentSubject, email, name }));
}

/**
 * The links an NRPS member carries: a Mentor whose `message` entries (NRPS 2.0, asked with `rlid`) hold a
 * `role_scope_mentor` claim, or the claim on the member itself.
 */
export function observerLinksFromMember(member: Record<string, unknown>): ObserverLink[] {
  const observer = text(member.user_id, 255);
  const roles = Array.isArray(member.roles) ? member.roles.filter((r): r is string => typeof r === 'string') : [];
  if (!observer || !isMentor(roles)) return [];
  const messages = Array.isArray(member.message) ? member.message : [];
  const scoped = [member, ...messages]
    .filter((m): m is Record<string, unknown> => !!m && typeof m === 'object')
    .flatMap((m) => ids(m[ROLE_SCOPE_MENTOR]));
  const email = text(member.email, 320)?.toLowerCase() ?? null;
  const name = text(member.name, 255);
  return [...new Set(scoped)]
    .slice(0, MAX_OBSERVED)
    .filter((s) => s !== observer)
    .map((studentSubject) => ({ observerSubject: observer, studentSubject, email, name }));
}
