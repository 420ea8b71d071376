import { describe, expect, it } from 'vitest';
import { lastWholePeriod, localDate, periodDue } from './report-period';

describe('scheduled report periods', () => {
  it('last week is Monday to Sunday before today, in the course zone', () => {
    // Monday 7 Dec 2026 00:30 in Auckland is still Sunday 6 Dec in UTC.
    const now = new Date('2026-12-06T11:30:00Z');
    expect(localDate(now, 'Pacific/Auckland')).toBe('2026-12-07');
    expect(lastWholePeriod('weekly', now, 'Pacific/Auckland')).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(lastWholePeriod('weekly', now, 'UTC')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
  });

  it('last month is the calendar month before, across a year and a DST change', () => {
    expect(lastWholePeriod('monthly', new Date('2026-01-15T12:00:00Z'), 'Europe/Paris')).toEqual({
      from: '2025-12-01',
      to: '2025-12-31',
    });
    expect(lastWholePeriod('monthly', new Date('2026-03-02T12:00:00Z'), 'Europe/Paris')).toEqual({
      from: '2026-02-01',
      to: '2026-02-28',
    });
    // The week of the spring DST change in Europe (29 March 2026) is still seven dates.
    expect(lastWholePeriod('weekly', new Date('2026-04-01T12:00:00Z'), 'Europe/Paris')).toEqual({
      from: '2026-03-23',
      to: '2026-03-29',
    });
  });

  it('a period is due until a period ending on or after it was sent', () => {
    const p = { from: '2026-11-30', to: '2026-12-06' };
    expect(periodDue(null, p)).toBe(true);
    expect(periodDue('2026-11-29', p)).toBe(true);
    expect(periodDue('2026-12-06', p)).toBe(false);
  });
});
