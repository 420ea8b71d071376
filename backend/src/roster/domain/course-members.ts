import type { CourseRole } from '../../tenancy/domain/role-mapping';

export type MemberStatus = 'active' | 'inactive' | 'deleted';

/** A member of the LMS roster, as stored. */
export interface ListedMember {
  subject: string;
  name: string;
  email: string | null;
  role: CourseRole | null;
  status: MemberStatus;
}

/** Someone who launched Lectern from the course. */
export interface LaunchedMember {
  subject: string;
  name: string;
  email: string | null;
  role: CourseRole;
  lastLaunchAt: Date;
}

/** A member of a course: listed by the LMS roster, or only known from a launch. */
export interface CourseMember {
  subject: string;
  name: string;
  email: string | null;
  role: CourseRole | null;
  status: MemberStatus;
  /** Null: never launched Lectern from the course. */
  lastLaunchAt: Date | null;
  source: 'lms' | 'launch';
}

/** Compares by code point, as PostgreSQL's C collation does (`<` on strings compares UTF-16 units). */
const byCodePoint = (a: string, b: string): number => {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
};

/**
 * The course's members: everyone the LMS roster lists (with their last launch, if any), then those who
 * launched but are not on the roster (active, by definition), ordered by status, then name.
 */
export function courseMembers(listed: readonly ListedMember[], launched: readonly LaunchedMember[]): CourseMember[] {
  const launches = new Map(launched.map((l) => [l.subject, l]));
  const onRoster = new Set(listed.map((m) => m.subject));
  const members: CourseMember[] = [
    ...listed.map((m) => ({
      ...m,
      lastLaunchAt: launches.get(m.subject)?.lastLaunchAt ?? null,
      source: 'lms' as const,
    })),
    ...launched
      .filter((l) => !onRoster.has(l.subject))
      .map((l) => ({
        subject: l.subject,
        name: l.name,
        email: l.email,
        role: l.role,
        status: 'active' as const,
        lastLaunchAt: l.lastLaunchAt,
        source: 'launch' as const,
      })),
  ];
  return members.sort((a, b) => byCodePoint(a.status, b.status) || byCodePoint(a.name, b.name));
}
