import { describe, expect, it } from 'vitest';
import type { SessionReport } from '../../../contracts/attendance';
import { DEFAULT_THRESHOLDS } from '../../../contracts/attendance';
import { attendanceNote, studentsBelowThresholds } from './attendance-note';
import { parseGuardianCsv } from './guardian-csv';

describe('guardian contacts CSV', () => {
  it('reads student, guardian email and name, any header case, quoted fields', () => {
    const r = parseGuardianCsv(
      '\uFEFFStudent,Guardian_Email,guardian_name\ndev-alan,Mum@Example.org,"Turing, Ethel"\nkath@dev-lms.test,dad@example.org,\n',
    );
    expect(r).toEqual({
      ok: true,
      contacts: [
        { student: 'dev-alan', email: 'mum@example.org', name: 'Turing, Ethel', line: 2 },
        { student: 'kath@dev-lms.test', email: 'dad@example.org', name: null, line: 3 },
      ],
    });
  });

  it('refuses the whole file, naming each bad line', () => {
    const r = parseGuardianCsv(
      'student,guardian_email\ndev-alan,not-an-email\n,ok@example.org\ndev-grace,g@example.org\n',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(2);
    expect(r.problems[0]).toMatch(/^line 2: guardian_email/);
    expect(r.problems[1]).toMatch(/^line 3: student/);
  });

  it('names the line as the file has it: blank lines and a line break inside quotes counted', () => {
    const r = parseGuardianCsv(
      'student,guardian_email,guardian_name\n\ndev-alan,a@example.org,"two\nlines"\n\ndev-grace,not-mail\n',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(['line 6: guardian_email is not an email address']);
  });

  it('refuses a file without the columns, an empty one, and one that is not CSV', () => {
    expect(parseGuardianCsv('name,email\na,b@c.de\n')).toEqual({
      ok: false,
      problems: ['the header has no student column', 'the header has no guardian_email column'],
    });
    expect(parseGuardianCsv('student,guardian_email\n').ok).toBe(false);
    expect(parseGuardianCsv('student,guardian_email\n"unclosed,a@b.cd\n').ok).toBe(false);
  });
});

describe('attendance notes', () => {
  const report: SessionReport = {
    sessionId: 's',
    classroomTitle: 'Mechanics',
    startedAt: '2026-03-29T07:00:00Z',
    endedAt: '2026-03-29T08:00:00Z',
    durationMs: 3600_000,
    timeZone: 'Europe/Paris',
    thresholds: { ...DEFAULT_THRESHOLDS, minActiveMinutes: 30, minActivePercent: 50 },
    rows: (['present', 'late', 'left-early', 'inactive', 'absent'] as const).map((status, i) => ({
      userId: `u${i}`,
      name: `Student ${i}`,
      firstJoin: status === 'absent' ? null : '2026-03-29T07:00:00Z',
      lastLeave: status === 'absent' ? null : '2026-03-29T08:00:00Z',
      presentMs: status === 'absent' ? 0 : 40 * 60_000,
      activeMs: status === 'inactive' ? 12 * 60_000 : 0,
      status,
      grade: null,
      gradeSource: null,
    })),
  };

  it('go to the students below the thresholds: inactive and absent', () => {
    expect(studentsBelowThresholds(report).map((r) => r.status)).toEqual(['inactive', 'absent']);
  });

  it('say what happened in the course zone (after the DST change) and what the class asks', () => {
    const note = attendanceNote(report, report.rows[3], 'guardian');
    expect(note.subject).toBe('Attendance: Mechanics, 2026-03-29 09:00');
    expect(note.text).toContain(
      'Student 3 attended the class "Mechanics" of 2026-03-29 09:00 (Europe/Paris) for 40 minutes',
    );
    expect(note.text).toContain('of which 12 active');
    expect(note.text).toContain('at least 30 active minutes or active for at least 50% of the class');
    expect(attendanceNote(report, report.rows[4], 'student').text).toContain('You did not attend');
  });
});
