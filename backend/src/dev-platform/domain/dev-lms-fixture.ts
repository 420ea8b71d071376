/** The course and people the development LMS platform shows. */
export type DevRole = 'Instructor' | 'Learner' | 'TeachingAssistant';

export interface DevCourse {
  id: string;
  title: string;
  label: string;
  resourceLink: { id: string; title: string };
  members: Array<{ userId: string; role: DevRole }>;
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
  { id: 'dev-katherine', name: 'Katherine Johnson', givenName: 'Katherine', familyName: 'Johnson', email: 'katherine@dev-lms.test' },
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

export const LIS_ROLE: Record<DevRole, string> = {
  Instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  Learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  TeachingAssistant: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
};

/** A launch the platform is about to make: who, into which course and link, as what. */
export interface DevLaunch {
  course: DevCourse;
  user: DevUser;
  role: DevRole;
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
  const slug = clean.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'user';
  const [givenName, ...rest] = clean.split(' ');
  return {
    course,
    role,
    user: { id: `dev-custom-${slug}`, name: clean, givenName, familyName: rest.join(' '), email: `${slug}@dev-lms.test` },
  };
}
