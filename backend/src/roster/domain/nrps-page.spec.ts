import { describe, expect, it } from 'vitest';
import { nextPageUrl, NrpsFormatError, parseMembershipPage } from './nrps-page';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';

describe('parseMembershipPage', () => {
  it('normalises members', () => {
    expect(
      parseMembershipPage({
        members: [
          { user_id: 'u1', name: 'Ada', email: 'a@x', roles: [`${M}#Instructor`], status: 'Active' },
          { user_id: 'u2', given_name: 'Grace', family_name: 'Hopper', roles: [`${M}#Learner`], status: 'Inactive' },
          { user_id: 'u3', roles: [`${M}#Mentor`], status: 'Deleted' },
          { user_id: 'u4', roles: [`${M}#Learner`] },
          { name: 'no id' },
          'garbage',
        ],
      }),
    ).toEqual([
      { subject: 'u1', name: 'Ada', email: 'a@x', ltiRoles: [`${M}#Instructor`], role: 'instructor', status: 'active' },
      {
        subject: 'u2',
        name: 'Grace Hopper',
        email: null,
        ltiRoles: [`${M}#Learner`],
        role: 'learner',
        status: 'inactive',
      },
      { subject: 'u3', name: 'User u3', email: null, ltiRoles: [`${M}#Mentor`], role: 'observer', status: 'deleted' },
      { subject: 'u4', name: 'User u4', email: null, ltiRoles: [`${M}#Learner`], role: 'learner', status: 'active' },
    ]);
  });

  it('reads a status named like a property of every object as unknown (active)', () => {
    const members = ['constructor', 'toString', '__proto__', 'hasOwnProperty'].map((status, i) => ({
      user_id: `u${i}`,
      roles: [`${M}#Learner`],
      status,
    }));
    expect(parseMembershipPage({ members }).map((m) => m.status)).toEqual(['active', 'active', 'active', 'active']);
  });

  it('refuses something that is not a membership container', () => {
    expect(() => parseMembershipPage({ error: 'x' })).toThrow(NrpsFormatError);
    expect(() => parseMembershipPage(null)).toThrow(NrpsFormatError);
  });
});

describe('nextPageUrl', () => {
  it('finds rel="next" among several links', () => {
    expect(nextPageUrl('<https://lms/m?page=1>; rel="first", <https://lms/m?page=3>; rel="next"')).toBe(
      'https://lms/m?page=3',
    );
    expect(nextPageUrl('<https://lms/m?p=2>; rel=next')).toBe('https://lms/m?p=2');
    expect(nextPageUrl('<https://lms/m?p=2>; rel="prev next"')).toBe('https://lms/m?p=2');
  });
  it('returns null without a next link', () => {
    expect(nextPageUrl(null)).toBeNull();
    expect(nextPageUrl('<https://lms/m?page=1>; rel="first"')).toBeNull();
    expect(nextPageUrl('<https://lms/m?page=1>; rel="nextish"')).toBeNull();
  });
});
