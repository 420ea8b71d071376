/**
 * Maps the LTI 1.3 roles claim onto the roles Lectern understands.
 * Context (membership) roles win over institution and system roles: an institution
 * administrator who is a Learner in this course is a learner here.
 *
 * Canvas sends designers as `membership#ContentDeveloper` and observers as `membership#Mentor`
 * (instructure/canvas-lms doc/api/canvas_roles.md); Moodle's parents/mentors are Mentors too. LTI 1.3
 * requires the roles claim but allows it empty (someone the LMS gives no role in the course): the
 * least-privileged role, observer, so they can watch rather than meet an error page.
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
  [/^(http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership#ContentDeveloper|ContentDeveloper)$/, 'designer'],
  [/^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership\/ContentDeveloper#/, 'designer'],
  [/^(http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership#Learner|Learner)$/, 'learner'],
  [/^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership\/Learner#/, 'learner'],
  [/^(http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership#Mentor|Mentor)$/, 'observer'],
  [/^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership\/Mentor#/, 'observer'],
];

const INSTITUTION_ADMIN = new Set([
  `${LIS}institution/person#Administrator`,
  `${LIS}system/person#Administrator`,
  `${LIS}system/person#SysAdmin`,
]);

/** Strongest first: a learner who also observes a classmate is a learner (and graded). */
const PRECEDENCE: CourseRole[] = [
  'administrator',
  'instructor',
  'teaching_assistant',
  'designer',
  'learner',
  'observer',
];

/**
 * Returns the strongest role found; observer for an empty roles claim; null when the claim names roles
 * and none is one Lectern supports.
 */
export function mapLtiRoles(roles: readonly string[]): CourseRole | null {
  if (roles.length === 0) return 'observer';
  const found = new Set<CourseRole>();
  for (const role of roles) {
    const match = CONTEXT_ROLES.find(([pattern]) => pattern.test(role));
    if (match) found.add(match[1]);
  }
  if (found.size === 0 && roles.some((r) => INSTITUTION_ADMIN.has(r))) found.add('administrator');
  return PRECEDENCE.find((r) => found.has(r)) ?? null;
}

/** Who may run a class: start and end sessions, mute, remove, place Lectern in a course, prepare quizzes. */
export function canTeach(role: CourseRole): boolean {
  return role === 'administrator' || role === 'instructor' || role === 'teaching_assistant' || role === 'designer';
}

/** Who may see and change grades: those who teach, except designers. */
export function canGrade(role: CourseRole): boolean {
  return canTeach(role) && role !== 'designer';
}

/** Who is graded (quiz scores, attendance): learners only; never observers, designers or guests. */
export function isGraded(role: CourseRole): boolean {
  return role === 'learner';
}

/** Who only watches and reads: sends nothing into a class (platform/auth/observer-access.ts). */
export function isReadOnly(role: CourseRole): boolean {
  return role === 'observer';
}
