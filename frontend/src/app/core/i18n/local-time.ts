/**
 * Dates and times as the person reads them: in their language's conventions and the course's time zone
 * (the zone is named beside a time where it matters). Pure; Intl does the work.
 */
export type TimeStyle = 'date-time' | 'date' | 'time' | 'long';

const OPTIONS: Record<TimeStyle, Intl.DateTimeFormatOptions> = {
  'date-time': { dateStyle: 'medium', timeStyle: 'short' },
  date: { dateStyle: 'medium' },
  time: { timeStyle: 'short' },
  long: { dateStyle: 'full', timeStyle: 'short' },
};

/** A zone the browser knows, else UTC; none given is the browser's own zone (undefined to Intl). */
export function knownZone(timeZone: string | null | undefined): string | undefined {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

/** "4 dic 2026, 9:05" (es) / "Dec 4, 2026, 9:05 AM" (en) in the given zone; null or invalid is "—". */
export function formatLocalTime(
  iso: string | null | undefined,
  locale: string,
  timeZone: string | null | undefined,
  style: TimeStyle = 'date-time',
): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, { ...OPTIONS[style], timeZone: knownZone(timeZone) }).format(d);
}
