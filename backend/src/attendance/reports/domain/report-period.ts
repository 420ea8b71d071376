/** A scheduled report's period: local dates (the course's zone), both included. */
export interface ReportPeriod {
  from: string;
  to: string;
}

export type ReportFrequency = 'weekly' | 'monthly';

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** Today's date in the zone, as YYYY-MM-DD. */
export function localDate(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/**
 * The last whole period before today (in the course's zone): last week Monday to Sunday, or last month.
 * Dates are computed on UTC midnights so a DST change cannot shift a day.
 */
export function lastWholePeriod(frequency: ReportFrequency, now: Date, timeZone: string): ReportPeriod {
  const [y, m, d] = localDate(now, timeZone).split('-').map(Number);
  const today = new Date(Date.UTC(y, m - 1, d));
  if (frequency === 'monthly') {
    return { from: iso(new Date(Date.UTC(y, m - 2, 1))), to: iso(new Date(Date.UTC(y, m - 1, 0))) };
  }
  const sinceMonday = (today.getUTCDay() + 6) % 7;
  const thisMonday = Date.UTC(y, m - 1, d - sinceMonday);
  return { from: iso(new Date(thisMonday - 7 * 86_400_000)), to: iso(new Date(thisMonday - 86_400_000)) };
}

/** Whether a subscription whose last sent period ended `lastPeriodEnd` (null: never) is owed `period`. */
export function periodDue(lastPeriodEnd: string | null, period: ReportPeriod): boolean {
  return lastPeriodEnd === null || lastPeriodEnd < period.to;
}
