import { mapLtiRoles } from '../../tenancy/domain/role-mapping';
import { type ObserverLink, observerLinksFromMember } from './observer-links';

/** One member of a course as Names and Role Provisioning Services lists them, normalised. */
export interface RosterEntry {
  subject: string;
  name: string;
  email: string | null;
  ltiRoles: string[];
  role: ReturnType<typeof mapLtiRoles>;
  status: 'active' | 'inactive' | 'deleted';
  /** An observer's (LIS Mentor's) students, where the LMS names them (see observer-links.ts). */
  observerLinks?: ObserverLink[];
}

export class NrpsFormatError extends Error {}

const STATUS: Record<string, RosterEntry['status']> = {
  active: 'active',
  inactive: 'inactive',
  deleted: 'deleted',
};

/** The status the LMS gives (any string: 'constructor' must not find Object's own), 'active' when unknown. */
const statusOf = (raw: unknown): RosterEntry['status'] => {
  const s = String(raw ?? 'Active').toLowerCase();
  return Object.hasOwn(STATUS, s) ? STATUS[s] : 'active';
};

/** Reads one NRPS membership container page. Members without a user_id are skipped; a page that is not a container is an error. */
export function parseMembershipPage(body: unknown): RosterEntry[] {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { members?: unknown }).members)) {
    throw new NrpsFormatError('the roster page is not a membership container (no members array)');
  }
  const out: RosterEntry[] = [];
  for (const raw of (body as { members: unknown[] }).members) {
    if (!raw || typeof raw !== 'object') continue;
    const m = raw as Record<string, unknown>;
    if (typeof m.user_id !== 'string' || !m.user_id) continue;
    const roles = Array.isArray(m.roles) ? m.roles.filter((r): r is string => typeof r === 'string') : [];
    const given = typeof m.given_name === 'string' ? m.given_name : '';
    const family = typeof m.family_name === 'string' ? m.family_name : '';
    const name =
      (typeof m.name === 'string' && m.name.trim()) || `${given} ${family}`.trim() || `User ${m.user_id.slice(0, 8)}`;
    out.push({
      subject: m.user_id.slice(0, 255),
      name: name.slice(0, 255),
      email: typeof m.email === 'string' && m.email ? m.email.slice(0, 320) : null,
      ltiRoles: roles,
      role: mapLtiRoles(roles),
      // NRPS: status is optional and defaults to Active.
      status: statusOf(m.status),
      ...withObserverLinks(m),
    });
  }
  return out;
}

/** The rel="next" URL of an HTTP Link header, if any. */
export function nextPageUrl(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (m && /(^|;)\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/.test(m[2])) return m[1];
  }
  return null;
}

/** An observer's links, only on the entries that have some. */
function withObserverLinks(m: Record<string, unknown>): Pick<RosterEntry, 'observerLinks'> {
  const links = observerLinksFromMember(m);
  return links.length ? { observerLinks: links } : {};
}
