import type { SessionReportRow } from '@contracts/attendance';
import { describe, expect, it } from 'vitest';
import {
  attendanceBySubject,
  draftProblem,
  gradeEveryonePresent,
  pendingGrades,
  type GradebookStudent,
} from './grade-sheet';

const student = (subject: string, over: Partial<GradebookStudent> = {}): GradebookStudent => ({
  subject,
  userId: `u-${subject}`,
  name: subject,
  status: 'active',
  attendance: null,
  ...over,
});
const row = (userId: string, status: SessionReportRow['status']): SessionReportRow => ({
  userId,
  name: userId,
  firstJoin: null,
  lastLeave: null,
  presentMs: status === 'absent' ? 0 : 1_800_000,
  activeMs: 0,
  status,
  grade: null,
  gradeSource: null,
});

const students = [
  student('p'),
  student('l'),
  student('e'),
  student('i'),
  student('a'),
  student('never', { userId: null }),
  student('gone', { status: 'inactive' }),
];
const report = {
  rows: [
    row('u-p', 'present'),
    row('u-l', 'late'),
    row('u-e', 'left-early'),
    row('u-i', 'inactive'),
    row('u-a', 'absent'),
    row('u-gone', 'present'),
  ],
};

describe('grade sheet', () => {
  it("puts attendance's own status beside each student; one it does not list was absent", () => {
    const a = attendanceBySubject(students, report);
    expect(a.get('l')).toEqual({ status: 'late', presentMs: 1_800_000, activeMs: 0 });
    expect(a.get('never')?.status).toBe('absent');
  });

  it('gives full points to every active student who came (present, late, left early), nobody else', () => {
    const a = attendanceBySubject(students, report);
    const before = new Map([['i', '3']]);
    const { drafts, count } = gradeEveryonePresent(students, a, 10, before);
    expect(count).toBe(3);
    expect(Object.fromEntries(drafts)).toEqual({ p: '10', l: '10', e: '10', i: '3' });
    expect(before.size).toBe(1); // the drafts given are not changed
  });

  it('checks typed scores (a decimal comma is a decimal point)', () => {
    expect(draftProblem('7,5', 10)).toBeNull();
    expect(draftProblem('', 10)).toBeNull();
    expect(draftProblem('abc', 10)).toBe('not-a-number');
    expect(draftProblem('-1', 10)).toBe('negative');
    expect(draftProblem('10.5', 10)).toBe('above-maximum');
  });

  it('sends only valid scores that differ from the saved ones, and names the invalid ones', () => {
    const saved = student('p', {
      attendance: {
        outboxId: 'o',
        scoreGiven: 10,
        scoreMaximum: 10,
        status: 'sent',
        attempts: 1,
        lastError: null,
        gradedAt: '',
        sentAt: null,
      },
    });
    const drafts = new Map([
      ['p', '10'],
      ['l', '7,5'],
      ['e', 'x'],
      ['a', ' '],
    ]);
    expect(pendingGrades([saved, student('l'), student('e'), student('a')], drafts, 10)).toEqual({
      grades: [{ subject: 'l', scoreGiven: 7.5 }],
      invalid: ['e'],
    });
  });
});
