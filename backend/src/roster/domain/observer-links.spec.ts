import { describe, expect, it } from 'vitest';
import { MAX_OBSERVED, observerLinksFromLaunch, observerLinksFromMember, ROLE_SCOPE_MENTOR } from './observer-links';

const MENTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor';
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';

describe('LMS observers from role_scope_mentor', () => {
  it("an observer's launch links them to each student named, with their email (lower case)", () => {
    const claims = { sub: 'obs-1', email: 'Parent@Family.test', name: 'A Parent', [ROLE_SCOPE_MENTOR]: ['s-1', 's-2'] };
    expect(observerLinksFromLaunch(claims, [MENTOR])).toEqual([
      { observerSubject: 'obs-1', studentSubject: 's-1', email: 'parent@family.test', name: 'A Parent' },
      { observerSubject: 'obs-1', studentSubject: 's-2', email: 'parent@family.test', name: 'A Parent' },
    ]);
  });

  it('no Mentor role, no claim, a claim that is not a list, or only the observer: no links', () => {
    const claims = { sub: 'obs-1', [ROLE_SCOPE_MENTOR]: ['s-1'] };
    expect(observerLinksFromLaunch(claims, [LEARNER])).toEqual([]);
    expect(observerLinksFromLaunch({ sub: 'obs-1' }, [MENTOR])).toEqual([]);
    expect(observerLinksFromLaunch({ sub: 'obs-1', [ROLE_SCOPE_MENTOR]: 's-1' }, [MENTOR])).toEqual([]);
    expect(observerLinksFromLaunch({ sub: 'obs-1', [ROLE_SCOPE_MENTOR]: ['obs-1'] }, [MENTOR])).toEqual([]);
  });

  it('a Mentor sub-role counts; ids are trimmed, deduplicated, non-strings dropped, at most MAX_OBSERVED', () => {
    const many = Array.from({ length: MAX_OBSERVED + 10 }, (_, i) => `s-${i}`);
    const claims = { sub: 'o', [ROLE_SCOPE_MENTOR]: [' s-0 ', 's-0', 42, null, ...many] };
    const links = observerLinksFromLaunch(claims, ['http://purl.imsglobal.org/vocab/lis/v2/membership/Mentor#Advisor']);
    expect(links).toHaveLength(MAX_OBSERVED);
    expect(links[0].studentSubject).toBe('s-0');
    expect(new Set(links.map((l) => l.studentSubject)).size).toBe(MAX_OBSERVED);
  });

  it('an NRPS member: the claim in its message section (NRPS 2.0) or on the member itself', () => {
    const member = {
      user_id: 'obs-1',
      roles: [MENTOR],
      email: 'p@family.test',
      name: 'P',
      message: [{ [ROLE_SCOPE_MENTOR]: ['s-1'] }, { [ROLE_SCOPE_MENTOR]: ['s-1', 's-2'] }, 'junk'],
    };
    expect(observerLinksFromMember(member).map((l) => l.studentSubject)).toEqual(['s-1', 's-2']);
    expect(observerLinksFromMember({ user_id: 'o', roles: [MENTOR], [ROLE_SCOPE_MENTOR]: ['s-3'] })).toEqual([
      { observerSubject: 'o', studentSubject: 's-3', email: null, name: null },
    ]);
    // A student's own member entry names no one, whatever it carries.
    expect(observerLinksFromMember({ user_id: 's-1', roles: [LEARNER], [ROLE_SCOPE_MENTOR]: ['s-2'] })).toEqual([]);
  });
});
