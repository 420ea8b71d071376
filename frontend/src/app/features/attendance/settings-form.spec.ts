import type { AttendanceSettingsView } from '@contracts/attendance';
import { describe, expect, it } from 'vitest';
import { ES } from '../../core/i18n/es';
import { translatorOf } from '../../core/i18n/language';
import { formFromSettings, gradingText, settingsBody, type SettingsForm } from './settings-form';

const platform = { lateAfterMinutes: 10, leftEarlyMinutes: 10, minActiveMinutes: null, minActivePercent: 50 };
const view: AttendanceSettingsView = {
  platform,
  classroom: null,
  effective: platform,
  gradingMode: 'percent',
  autoGrade: true,
  points: 10,
  timeZone: 'Europe/Paris',
  courseTimeZone: 'Europe/Paris',
  platformTimeZone: null,
};
const own: SettingsForm = {
  ownThresholds: true,
  lateAfterMinutes: '5',
  leftEarlyMinutes: '10',
  minActiveMinutes: '',
  minActivePercent: '75',
  gradingMode: 'threshold',
  autoGrade: true,
};

describe('the classroom settings form', () => {
  it("fills from the server: the platform's thresholds shown, not the classroom's own", () => {
    expect(formFromSettings(view)).toEqual({
      ownThresholds: false,
      lateAfterMinutes: '10',
      leftEarlyMinutes: '10',
      minActiveMinutes: '',
      minActivePercent: '50',
      gradingMode: 'percent',
      autoGrade: true,
    });
    const mine = { ...platform, lateAfterMinutes: 3, minActiveMinutes: 20 };
    expect(formFromSettings({ ...view, classroom: mine, effective: mine })).toMatchObject({
      ownThresholds: true,
      lateAfterMinutes: '3',
      minActiveMinutes: '20',
    });
  });

  it("sends null thresholds to follow the platform's, whatever the hidden fields hold", () => {
    expect(settingsBody({ ...own, ownThresholds: false, lateAfterMinutes: 'garbage' })).toEqual({
      ok: true,
      body: { thresholds: null, gradingMode: 'threshold', autoGrade: true },
    });
  });

  it('sends its own thresholds as numbers, an empty minimum as not used', () => {
    expect(settingsBody(own)).toEqual({
      ok: true,
      body: {
        thresholds: { lateAfterMinutes: 5, leftEarlyMinutes: 10, minActiveMinutes: null, minActivePercent: 75 },
        gradingMode: 'threshold',
        autoGrade: true,
      },
    });
    expect(settingsBody({ ...own, minActivePercent: '62.5' })).toMatchObject({
      ok: true,
      body: { thresholds: { minActivePercent: 62.5 } },
    });
  });

  it('names the first wrong field, in words', () => {
    expect(settingsBody({ ...own, lateAfterMinutes: '' })).toEqual({
      ok: false,
      field: 'lateAfterMinutes',
      message: 'Late after: enter a number of minutes.',
    });
    expect(settingsBody({ ...own, leftEarlyMinutes: '2.5' })).toEqual({
      ok: false,
      field: 'leftEarlyMinutes',
      message: 'Left early at: a number from 0 to 1440 whole minutes.',
    });
    expect(settingsBody({ ...own, minActiveMinutes: '-1' })).toMatchObject({ ok: false, field: 'minActiveMinutes' });
    expect(settingsBody({ ...own, minActivePercent: '101' })).toEqual({
      ok: false,
      field: 'minActivePercent',
      message: 'Minimum active share: a number from 0 to 100.',
    });
    expect(settingsBody({ ...own, minActivePercent: '1e999' })).toMatchObject({ ok: false, field: 'minActivePercent' });
  });

  it('says how the grade is computed', () => {
    expect(gradingText('percent', 10, platform)).toBe(
      'Each student gets their share of the class spent active × 10 points.',
    );
    expect(gradingText('threshold', 10, { ...platform, minActiveMinutes: 30 })).toBe(
      '10 points for 30 min and 50% of the class active, else 0.',
    );
    expect(gradingText('threshold', 4, { ...platform, minActivePercent: null })).toBe(
      '4 points for every student who attended, else 0.',
    );
    expect(gradingText('percent', null, platform)).toBe(
      'Attendance is not graded in this classroom (no attendance points are set).',
    );
  });
});

describe('settings in Spanish', () => {
  it('words the grade rule and the field problems in the translator given', () => {
    const es = translatorOf(ES);
    expect(gradingText('threshold', 5, { ...platform, minActiveMinutes: 20 }, es)).toBe(
      '5 puntos por 20 min y 50 % de la clase activo, si no 0.',
    );
    expect(settingsBody({ ...own, lateAfterMinutes: '' }, es)).toMatchObject({
      ok: false,
      message: 'Tarde después de: escriba un número de minutos.',
    });
  });
});
