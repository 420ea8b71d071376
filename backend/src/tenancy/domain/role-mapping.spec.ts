import { describe, expect, it } from 'vitest';
import { canGrade, canTeach, isGraded, isReadOnly, mapLtiRoles } from './role-mapping';

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
    // Canvas: DesignerEnrollment and ObserverEnrollment (canvas-lms doc/api/canvas_roles.md); Moodle's mentors.
    [[`${M}#ContentDeveloper`], 'designer'],
    [['ContentDeveloper'], 'designer'],
    [[`${M}/ContentDeveloper#ContentExpert`], 'designer'],
    [[`${M}#Mentor`], 'observer'],
    [['Mentor'], 'observer'],
    [[`${M}/Mentor#Advisor`], 'observer'],
    // LTI 1.3: the roles claim is required but may be empty.
    [[], 'observer'],
  ])('maps %j to %s', (roles, expected) => {
    expect(mapLtiRoles(roles)).toBe(expected);
  });

  it('prefers the strongest context role', () => {
    expect(mapLtiRoles([`${M}#Learner`, `${M}#Instructor`])).toBe('instructor');
    expect(mapLtiRoles([`${M}/Instructor#TeachingAssistant`, `${M}#Learner`])).toBe('teaching_assistant');
    expect(mapLtiRoles([`${M}#ContentDeveloper`, `${M}#Instructor`])).toBe('instructor');
    // A student who also observes a classmate is a student (graded), not an observer.
    expect(mapLtiRoles([`${M}#Mentor`, `${M}#Learner`])).toBe('learner');
    expect(mapLtiRoles([`${M}#Mentor`, `${M}#ContentDeveloper`])).toBe('designer');
  });

  it('lets a context role win over an institution role', () => {
    expect(
      mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator', `${M}#Learner`]),
    ).toBe('learner');
    expect(
      mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator', `${M}#Mentor`]),
    ).toBe('observer');
  });

  it('maps an institution administrator with no course role to administrator', () => {
    expect(mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator'])).toBe('administrator');
  });

  it('returns null when the claim names roles and none is supported', () => {
    expect(mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student'])).toBeNull();
    expect(mapLtiRoles(['http://purl.imsglobal.org/vocab/lis/v2/system/person#User'])).toBeNull();
  });

  it('says what each role may do', () => {
    const table = (
      ['administrator', 'instructor', 'teaching_assistant', 'designer', 'learner', 'observer'] as const
    ).map((r) => [r, canTeach(r), canGrade(r), isGraded(r), isReadOnly(r)]);
    expect(table).toEqual([
      // role, runs a class, sees/changes grades, is graded, read-only
      ['administrator', true, true, false, false],
      ['instructor', true, true, false, false],
      ['teaching_assistant', true, true, false, false],
      ['designer', true, false, false, false],
      ['learner', false, false, true, false],
      ['observer', false, false, false, true],
    ]);
    expect([canTeach('guest'), canGrade('guest'), isGraded('guest')]).toEqual([false, false, false]);
  });
});
