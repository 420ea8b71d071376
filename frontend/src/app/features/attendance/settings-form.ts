import {
  ATTENDANCE_LIMITS,
  classroomSettingsBodySchema,
  type AttendanceSettingsView,
  type AttendanceThresholds,
  type ClassroomSettingsBody,
  type GradingMode,
} from '@contracts/attendance';
import { EN } from '../../core/i18n/en';
import { translatorOf } from '../../core/i18n/language';

/**
 * The classroom's attendance settings as the form holds them (text fields, as typed) and the body the
 * server takes. Pure: checked here with the contract's own schema, so the person reads what is wrong
 * before anything is sent.
 */
export interface SettingsForm {
  /** false: the classroom follows the platform's thresholds. */
  ownThresholds: boolean;
  lateAfterMinutes: string;
  leftEarlyMinutes: string;
  /** Empty: not used. */
  minActiveMinutes: string;
  /** Empty: not used. */
  minActivePercent: string;
  gradingMode: GradingMode;
  autoGrade: boolean;
}

const text = (n: number | null) => (n === null ? '' : String(n));

/** The form filled from what the server has (the effective thresholds shown even when they are the platform's). */
export function formFromSettings(v: AttendanceSettingsView): SettingsForm {
  const t = v.classroom ?? v.effective;
  return {
    ownThresholds: v.classroom !== null,
    lateAfterMinutes: text(t.lateAfterMinutes),
    leftEarlyMinutes: text(t.leftEarlyMinutes),
    minActiveMinutes: text(t.minActiveMinutes),
    minActivePercent: text(t.minActivePercent),
    gradingMode: v.gradingMode,
    autoGrade: v.autoGrade,
  };
}

export type SettingsResult = { ok: true; body: ClassroomSettingsBody } | { ok: false; field: string; message: string };

type Translate = (key: string, params?: Record<string, string | number>) => string;
const english: Translate = translatorOf(EN);
const label = (key: keyof AttendanceThresholds, t: Translate) => t(`settingsWords.labels.${key}`);

/** The body to PUT, or the first field that is wrong, in words. */
export function settingsBody(f: SettingsForm, t: Translate = english): SettingsResult {
  let thresholds: AttendanceThresholds | null = null;
  if (f.ownThresholds) {
    const parsed: Partial<Record<keyof AttendanceThresholds, number | null>> = {};
    const fields: Array<[keyof AttendanceThresholds, string, boolean]> = [
      ['lateAfterMinutes', f.lateAfterMinutes, false],
      ['leftEarlyMinutes', f.leftEarlyMinutes, false],
      ['minActiveMinutes', f.minActiveMinutes, true],
      ['minActivePercent', f.minActivePercent, true],
    ];
    for (const [key, raw, optional] of fields) {
      const value = raw.trim();
      if (value === '') {
        if (!optional)
          return { ok: false, field: key, message: t('settingsWords.needMinutes', { field: label(key, t) }) };
        parsed[key] = null;
        continue;
      }
      const n = Number(value);
      const limits = key === 'minActivePercent' ? ATTENDANCE_LIMITS.minActivePercent : ATTENDANCE_LIMITS[key];
      const whole = key !== 'minActivePercent';
      if (!Number.isFinite(n) || (whole && !Number.isInteger(n)) || n < limits.min || n > limits.max) {
        const words = key === 'minActivePercent' ? 'settingsWords.range' : 'settingsWords.rangeMinutes';
        return {
          ok: false,
          field: key,
          message: t(words, { field: label(key, t), min: limits.min, max: limits.max }),
        };
      }
      parsed[key] = n;
    }
    thresholds = parsed as AttendanceThresholds;
  }
  const body = { thresholds, gradingMode: f.gradingMode, autoGrade: f.autoGrade };
  // The contract's schema has the last word (a field this form forgot would show here, not on the server).
  const checked = classroomSettingsBodySchema.safeParse(body);
  if (!checked.success) return { ok: false, field: 'form', message: t('settingsWords.cannotSave') };
  return { ok: true, body: checked.data };
}

/** How the grade is computed, in words, for the mode chosen and the classroom's points. */
export function gradingText(
  mode: GradingMode,
  points: number | null,
  t: AttendanceThresholds,
  tr: Translate = english,
): string {
  if (points === null) return tr('settingsWords.notGraded');
  if (mode === 'percent') return tr('settingsWords.percent', { points });
  const minimum = [
    t.minActiveMinutes === null ? '' : tr('settingsWords.minutes', { n: t.minActiveMinutes }),
    t.minActivePercent === null ? '' : tr('settingsWords.share', { n: t.minActivePercent }),
  ]
    .filter(Boolean)
    .join(tr('settingsWords.and'));
  return minimum ? tr('settingsWords.threshold', { points, minimum }) : tr('settingsWords.attended', { points });
}
