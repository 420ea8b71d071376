/**
 * Maps the LTI 1.3 roles claim onto the roles Lectern understands.
 * Context (membership) roles win over institution and system roles: an institution
 * administrator who is a Learner in this course is a learner here.
 */
import type { CourseRole } from '../../contracts/api';

export type { CourseRole };

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

const CONTEXT_ROLES: ReadonlyArray<[RegExp, CourseRole]> = [
  // Sub-roles first: "membership/Instructor#TeachingAssistant" is a TA, not an instructor.
  [
    /^(http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership\/Instructor#TeachingAssistant|TeachingAssistant)$/,
    'teaching_assistant',
  ],
  [/^(http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership#Administrator)$/, 'administrator'],
  [/^(http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership#Instructor|Instructor)$/, 'instructor'],
  [/^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership\/Instructor#/, 'instructor'],
  [/^(http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership#Learner|Learner)$/, 'learner'],
  [/^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership\/Learner#/, 'learner'],
];

const INSTITUTION_ADMIN = new Set([
  `${LIS}institution/person#Administrator`,
  `${LIS}system/person#Administrator`,
  `${LIS}system/person#SysAdmin`,
]);

const PRECEDENCE: CourseRole[] = ['administrator', 'instructor', 'teaching_assistant', 'learner'];

/** Returns the strongest role found, or null when none of the claimed roles is one Lectern supports. */
export function mapLtiRoles(roles: readonly string[]): CourseRole | null {
  const found = new Set<CourseRole>();
  for (const role of roles) {
    const match = CONTEXT_ROLES.find(([pattern]) => pattern.test(role));
    if (match) found.add(match[1]);
  }
  if (found.size === 0 && roles.some((r) => INSTITUTION_ADMIN.has(r))) found.add('administrator');
  return PRECEDENCE.find((r) => found.has(r)) ?? null;
}

/** Who may run a class: start and end sessions, and (later) mute, remove, grade. */
export function canTeach(role: CourseRole): boolean {
  return role === 'administrator' || role === 'instructor' || role === 'teaching_assistant';
}
