import { EN } from '../../core/i18n/en';
import { translatorOf } from '../../core/i18n/language';

type Translate = (key: string, params?: Record<string, string | number>) => string;
const english: Translate = translatorOf(EN);

/**
 * Durations of attendance as a person reads them. Pure.
 * Whole minutes are what an instructor reasons in ("present 52 min of 60"); seconds show only below a minute.
 */

/** "0 min", "45 s", "12 min", "1 h 05 min", "2 h"; negative or missing is "—". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds === 0) return '0 min';
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')} min`;
}

/** The same in words for a screen reader: "1 hour 5 minutes", "45 seconds", "no time". */
export function spokenDuration(ms: number | null | undefined, t: Translate = english): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return t('spokenTime.unknown');
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds === 0) return t('spokenTime.none');
  const plural = (n: number, unit: 'second' | 'minute' | 'hour') =>
    n === 1 ? t(`spokenTime.${unit}`) : t(`spokenTime.${unit}s`, { n });
  if (totalSeconds < 60) return plural(totalSeconds, 'second');
  const totalMinutes = Math.floor(totalSeconds / 60);
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  return [h ? plural(h, 'hour') : '', m ? plural(m, 'minute') : ''].filter(Boolean).join(' ');
}

/** A share of a whole as a whole percentage ("83%"); nothing of nothing is "—". */
export function formatShare(part: number, whole: number): string {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole <= 0) return '—';
  return `${Math.round(Math.min(1, Math.max(0, part / whole)) * 100)}%`;
}
