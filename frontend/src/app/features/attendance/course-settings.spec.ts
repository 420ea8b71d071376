import { describe, expect, it } from 'vitest';
import { importProblems, nowIn, zoneChoices, zoneInput } from './course-settings';

describe('attendance course settings (pure)', () => {
  it("shows a refused import's problems by line, whole-file problems first", () => {
    expect(
      importProblems(
        [
          'line 7: no student dev-x in this course',
          'the header has no student column',
          'line 3: guardian_email is not an email address',
        ],
        'Invalid',
      ),
    ).toEqual([
      { line: null, message: 'the header has no student column' },
      { line: 3, message: 'guardian_email is not an email address' },
      { line: 7, message: 'no student dev-x in this course' },
    ]);
    expect(importProblems(undefined, 'Lectern cannot be reached.')).toEqual([
      { line: null, message: 'Lectern cannot be reached.' },
    ]);
  });

  it('checks a typed zone before sending it; empty clears it', () => {
    expect(zoneInput(' europe/paris ')).toEqual({ ok: true, zone: 'Europe/Paris' });
    expect(zoneInput('')).toEqual({ ok: true, zone: null });
    expect(zoneInput('Paris')).toEqual({
      ok: false,
      message: '"Paris" is not a time zone: pick one from the list (for example Europe/Paris).',
    });
  });

  it('offers every Intl zone, UTC first; shows the local time in a zone', () => {
    const zones = zoneChoices();
    expect(zones[0]).toBe('UTC');
    expect(zones).toContain('America/New_York');
    expect(nowIn('America/New_York', new Date('2026-07-01T12:00:00Z'))).toBe('08:00');
    expect(nowIn('Europe/Paris', new Date('2026-12-01T12:00:00Z'))).toBe('13:00');
  });
});
