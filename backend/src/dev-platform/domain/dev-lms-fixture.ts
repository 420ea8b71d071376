/** The course and people the development LMS platform shows. */
/**
 * Mentor: an observer (a parent, Canvas's ObserverEnrollment) of the students named in `observes`.
 * ContentDeveloper: Canvas's DesignerEnrollment. None: a launch whose roles claim is empty (LTI 1.3 allows it).
 */
export type DevRole = 'Instructor' | 'Learner' | 'TeachingAssistant' | 'Mentor' | 'ContentDeveloper' | 'None';

export interface DevCourse {
  id: string;
  title: string;
  label: string;
  resourceLink: { id: string; title: string };
  members: Array<{ userId: string; role: DevRole; observes?: string[] }>;
}

export interface DevUser {
  id: string;
  name: string;
  givenName: string;
  familyName: string;
  email: string;
}

export const DEV_USERS: DevUser[] = [
  { id: 'dev-ada', name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace', email: 'ada@dev-lms.test' },
  { id: 'dev-grace', name: 'Grace Hopper', givenName: 'Grace', familyName: 'Hopper', email: 'grace@dev-lms.test' },
  { id: 'dev-alan', name: 'Alan Turing', givenName: 'Alan', familyName: 'Turing', email: 'alan@dev-lms.test' },
  {
    id: 'dev-katherine',
    name: 'Katherine Johnson',
    givenName: 'Katherine',
    familyName: 'Johnson',
    email: 'katherine@dev-lms.test',
  },
  {
    id: 'dev-mary',
    name: 'Mary Hopper',
    givenName: 'Mary',
    familyName: 'Hopper',
    email: 'mary.hopper@family.dev-lms.test',
  },
];

export const DEV_COURSES: DevCourse[] = [
  {
    id: 'phys-101',
    title: 'Introduction to Physics',
    label: 'PHYS-101',
    resourceLink: { id: 'rl-phys-101-live', title: 'Live lectures' },
    members: [
      { userId: 'dev-ada', role: 'Instructor' },
      { userId: 'dev-grace', role: 'Learner' },
      { userId: 'dev-alan', role: 'Learner' },
      // Grace's parent, an observer in the course (LTI: role Mentor, role_scope_mentor [dev-grace]).
      { userId: 'dev-mary', role: 'Mentor', observes: ['dev-grace'] },
    ],
  },
  {
    id: 'hist-210',
    title: 'Modern History',
    label: 'HIST-210',
    resourceLink: { id: 'rl-hist-210-live', title: 'Seminar room' },
    members: [
      { userId: 'dev-ada', role: 'Instructor' },
      { userId: 'dev-alan', role: 'TeachingAssistant' },
      { userId: 'dev-katherine', role: 'Learner' },
    ],
  },
];

/** The roles claim each role sends. */
export const LIS_ROLES: Record<DevRole, string[]> = {
  Instructor: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
  Learner: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
  TeachingAssistant: ['http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant'],
  Mentor: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor'],
  ContentDeveloper: ['http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper'],
  None: [],
};

/** The students an observer of the course observes (empty for anyone else). */
export function observedBy(course: DevCourse, userId: string): string[] {
  return course.members.find((m) => m.userId === userId && m.role === 'Mentor')?.observes ?? [];
}

/** A resource link placed in a course by deep linking. */
export interface DevPlacedLink {
  id: string;
  title: string;
  custom: Record<string, string>;
  lineItemUrl: string | null;
}

/** What a launch opens: the course's own link, a placed link, or a deep-linking request. */
export type DevLaunchTarget =
  { kind: 'default' } | { kind: 'link'; link: DevPlacedLink } | { kind: 'deep-linking'; data: string };

/** A launch the platform is about to make: who, into which course and link, as what. */
export interface DevLaunch {
  course: DevCourse;
  user: DevUser;
  role: DevRole;
  target?: DevLaunchTarget;
  /** The language the LMS sends in launch_presentation.locale (none when absent). */
  locale?: string;
}

/** Languages the dev LMS can send as the launch's locale (a real LMS sends the person's own setting). */
export const DEV_LOCALES = ['en', 'es', 'es-419', 'fr'] as const;

/** The launch's locale from the dev LMS's form: one of DEV_LOCALES, else none. */
export function devLocale(value: string): string | undefined {
  return (DEV_LOCALES as readonly string[]).includes(value) ? value : undefined;
}

export function findLaunch(courseId: string, userId: string): DevLaunch | null {
  const course = DEV_COURSES.find((c) => c.id === courseId);
  const user = DEV_USERS.find((u) => u.id === userId);
  const member = course?.members.find((m) => m.userId === userId);
  return course && user && member ? { course, user, role: member.role } : null;
}

/** A person typed in on the platform page ("custom user"). */
export function customLaunch(courseId: string, name: string, role: DevRole): DevLaunch | null {
  const course = DEV_COURSES.find((c) => c.id === courseId);
  const clean = name.trim().replace(/\s+/g, ' ').slice(0, 80);
  if (!course || !clean) return null;
  const slug =
    clean
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'user';
  const [givenName, ...rest] = clean.split(' ');
  return {
    course,
    role,
    user: {
      id: `dev-custom-${slug}`,
      name: clean,
      givenName,
      familyName: rest.join(' '),
      email: `${slug}@dev-lms.test`,
    },
  };
}

const GIVEN = [
  'Amara',
  'Bruno',
  'Chen',
  'Dara',
  'Elif',
  'Farid',
  'Greta',
  'Hiro',
  'Ines',
  'Jonas',
  'Kofi',
  'Lena',
  'Mateo',
  'Nia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sami',
  'Tariq',
];
const FAMILY = [
  'Abebe',
  'Berg',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jansen',
  'Kowalski',
  'Lopez',
  'Moreau',
];

/**
 * Generated students of PHYS-101, so roster sync has a few hundred members over several pages (263 in all with
 * the four listed people, an observer included).
 */
export const GENERATED_MEMBERS = 259;

export function generatedUser(i: number): DevUser {
  const givenName = GIVEN[i % GIVEN.length];
  const familyName = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length];
  const n = String(i + 1).padStart(3, '0');
  return {
    id: `dev-gen-${n}`,
    name: `${givenName} ${familyName} ${n}`,
    givenName,
    familyName: `${familyName} ${n}`,
    email: `student${n}@dev-lms.test`,
  };
}

export interface DevMember {
  user: DevUser;
  role: DevRole;
  status: 'Active' | 'Inactive';
  observes?: string[];
}

/** Everyone in a course, as the platform's roster (NRPS) lists them. */
export function courseMembers(course: DevCourse): DevMember[] {
  const listed = course.members.map((m) => ({
    user: DEV_USERS.find((u) => u.id === m.userId)!,
    role: m.role,
    status: 'Active' as const,
    ...(m.observes ? { observes: m.observes } : {}),
  }));
  if (course.id !== 'phys-101') return listed;
  const generated = Array.from({ length: GENERATED_MEMBERS }, (_, i) => ({
    user: generatedUser(i),
    role: 'Learner' as const,
    // Every 50th generated student has left the course (NRPS status Inactive).
    status: (i % 50 === 49 ? 'Inactive' : 'Active') as DevMember['status'],
  }));
  return [...listed, ...generated];
}

/** Where the dev LMS serves a course's LTI Advantage services. */
export function devServiceUrls(issuer: string, courseId: string) {
  return {
    memberships: `${issuer}/api/${courseId}/memberships`,
    lineItems: `${issuer}/api/${courseId}/lineitems`,
  };
}
