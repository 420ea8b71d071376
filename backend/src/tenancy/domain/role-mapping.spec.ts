import { describe, expect, it } from 'vitest';
import { canTeach, mapLtiRoles } from './role-mapping';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';

describe('mapLtiRoles', () => {
  it.each([
    [[`${M}#Instructor`], 'instructor'],
    [[`${M}#Learner`], 'learner'],
    [[`${M}/Instructor#TeachingAssistant`], 'teaching_assistant'],
    [[`${M}#Administrator`], 'administrator'],
    [['Instructor'], 'instructor'],
    [['Learner'], 'learner'],
    [[`${M}/Learner#NonCreditLearner`], 'learner'],
  ])('maps %j to %s', (roles, expected) => {
    expect(mapLtiRoles(roles)).toBe(expected);
  });

  it('prefers the strongest context role', () => {
    expect(mapLtiRoles([`${M}#Learner`, `${M}#Instructor`])).toBe('instructor');
    expect(mapLtiRoles([`${M}/Instructor#TeachingAssistant`, `${M}#Learner`])).toBe('teaching_assistant');
  });

  it('lets a context role win over an institution role', () => {
    expect(
      mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator', `${M}#Learner`]),
    ).toBe('learner');
  });

  it('maps an institution administrator with no course role to administrator', () => {
    expect(mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator'])).toBe('administrator');
  });

  it('returns null when no role is supported', () => {
    expect(mapLtiRoles([])).toBeNull();
    expect(
      mapLtiRoles([`${M}#Mentor`, 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student']),
    ).toBeNull();
  });

  it('lets teaching roles run a class, and learners not', () => {
    expect(canTeach('instructor')).toBe(true);
    expect(canTeach('teaching_assistant')).toBe(true);
    expect(canTeach('administrator')).toBe(true);
    expect(canTeach('learner')).toBe(false);
  });
});
