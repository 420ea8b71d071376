import { describe, expect, it } from 'vitest';
import { courseMembers, type LaunchedMember, type ListedMember } from './course-members';

const listed = (subject: string, name: string, status: ListedMember['status'] = 'active'): ListedMember => ({
  subject,
  name,
  email: null,
  role: 'learner',
  status,
});
const launched = (subject: string, name: string, at = new Date('2026-01-01T10:00:00Z')): LaunchedMember => ({
  subject,
  name,
  email: `${subject}@x.test`,
  role: 'learner',
  lastLaunchAt: at,
});

describe('courseMembers', () => {
  it("lists the roster with each member's last launch, then those only known from a launch, as active", () => {
    const at = new Date('2026-02-02T09:00:00Z');
    const members = courseMembers(
      [listed('a', 'Ada'), listed('b', 'Bob')],
      [launched('a', 'Ada L.', at), launched('c', 'Cy')],
    );
    expect(members.map((m) => [m.subject, m.name, m.source, m.lastLaunchAt?.toISOString() ?? null])).toEqual([
      ['a', 'Ada', 'lms', at.toISOString()], // the roster's name wins for a listed member
      ['b', 'Bob', 'lms', null],
      ['c', 'Cy', 'launch', '2026-01-01T10:00:00.000Z'],
    ]);
    expect(members[2]).toMatchObject({ status: 'active', email: 'c@x.test', role: 'learner' });
  });

  it("orders by status, then name, by code point (as the database's C collation)", () => {
    const members = courseMembers(
      [
        listed('1', 'bob', 'inactive'),
        listed('2', 'Zed'),
        listed('3', 'Ann', 'deleted'),
        listed('4', 'alice'),
        listed('5', 'Émile'),
        listed('6', '😀 Smile'),
        listed('7', '\uff21 wide'),
      ],
      [launched('8', 'Bea')],
    );
    expect(members.map((m) => `${m.status}:${m.name}`)).toEqual([
      'active:Bea',
      'active:Zed',
      'active:alice',
      'active:Émile',
      'active:\uff21 wide',
      'active:😀 Smile',
      'deleted:Ann',
      'inactive:bob',
    ]);
  });
});
