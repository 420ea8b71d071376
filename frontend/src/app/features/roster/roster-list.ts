import type { RosterMemberView } from '@contracts/api';

/** What the roster page can show: search, a filter by status, a sort, and pages. Pure, unit-tested. */

export const rosterFilters = ['all', 'active', 'left-course', 'never-attended', 'here-now'] as const;
export type RosterFilter = (typeof rosterFilters)[number];

export const rosterSorts = ['name', 'role', 'status', 'last-attended', 'classes'] as const;
export type RosterSort = (typeof rosterSorts)[number];

export interface RosterQuery {
  search: string;
  filter: RosterFilter;
  sort: RosterSort;
  descending: boolean;
}

export const DEFAULT_ROSTER_QUERY: RosterQuery = { search: '', filter: 'all', sort: 'name', descending: false };

/** Case- and accent-blind text for searching ("José" is found by "jose"). */
export const fold = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

export function matchesFilter(m: RosterMemberView, filter: RosterFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'active':
      return m.status === 'active';
    case 'left-course':
      return m.status !== 'active';
    case 'never-attended':
      return m.status === 'active' && !m.lastAttendedAt;
    case 'here-now':
      return m.hereNow;
  }
}

const ROLE_ORDER: Record<string, number> = { instructor: 0, teaching_assistant: 1, administrator: 2, learner: 3 };

/** The members the query shows, in its order (ties by name, then subject, so the order is stable). */
export function rosterRows(
  members: readonly RosterMemberView[],
  q: RosterQuery,
  collator: Intl.Collator,
): RosterMemberView[] {
  const words = fold(q.search).split(/\s+/).filter(Boolean);
  const found = members.filter(
    (m) =>
      matchesFilter(m, q.filter) && words.every((w) => fold(`${m.name} ${m.email ?? ''} ${m.subject}`).includes(w)),
  );
  const byName = (a: RosterMemberView, b: RosterMemberView) =>
    collator.compare(a.name, b.name) || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0);
  const key = (a: RosterMemberView, b: RosterMemberView): number => {
    switch (q.sort) {
      case 'name':
        return 0;
      case 'role':
        return (ROLE_ORDER[a.role ?? ''] ?? 9) - (ROLE_ORDER[b.role ?? ''] ?? 9);
      case 'status':
        return a.status.localeCompare(b.status);
      case 'last-attended':
        // Never attended sorts before any date (ascending): the people to follow up first.
        return (a.lastAttendedAt ?? '').localeCompare(b.lastAttendedAt ?? '');
      case 'classes':
        return a.classesAttended - b.classesAttended;
    }
  };
  const dir = q.descending ? -1 : 1;
  return [...found].sort((a, b) => dir * key(a, b) || byName(a, b));
}

/** One page of rows (pages count from 0; a page past the end shows the last one). */
export function pageOf<T>(rows: readonly T[], page: number, size: number): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const at = Math.min(Math.max(0, page), pages - 1);
  return { rows: rows.slice(at * size, at * size + size), page: at, pages };
}
