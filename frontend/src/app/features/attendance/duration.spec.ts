import { describe, expect, it } from 'vitest';
import { ES } from '../../core/i18n/es';
import { translatorOf } from '../../core/i18n/language';
import { formatDuration, formatShare, spokenDuration } from './duration';

const s = 1000;
const min = 60 * s;
const h = 60 * min;

describe('attendance durations in words', () => {
  it('shows minutes, hours and minutes, seconds only below a minute', () => {
    expect(formatDuration(0)).toBe('0 min');
    expect(formatDuration(999)).toBe('0 min');
    expect(formatDuration(45 * s)).toBe('45 s');
    expect(formatDuration(59 * s + 999)).toBe('59 s');
    expect(formatDuration(min)).toBe('1 min');
    // Whole minutes, never rounded up: 11 min 59 s was not 12 minutes of class.
    expect(formatDuration(12 * min - 1)).toBe('11 min');
    expect(formatDuration(h)).toBe('1 h');
    expect(formatDuration(h + 5 * min + 30 * s)).toBe('1 h 05 min');
    expect(formatDuration(26 * h + 40 * min)).toBe('26 h 40 min');
  });

  it('shows a dash for what is unknown or impossible', () => {
    expect([null, undefined, -1, Number.NaN, Infinity].map(formatDuration)).toEqual(['—', '—', '—', '—', '—']);
  });

  it('says it in words for a screen reader', () => {
    expect(spokenDuration(0)).toBe('no time');
    expect(spokenDuration(s)).toBe('1 second');
    expect(spokenDuration(90 * s)).toBe('1 minute');
    expect(spokenDuration(h + min)).toBe('1 hour 1 minute');
    expect(spokenDuration(2 * h)).toBe('2 hours');
    expect(spokenDuration(null)).toBe('unknown');
  });

  it('gives a share as a whole percentage, clamped', () => {
    expect(formatShare(45 * min, 60 * min)).toBe('75%');
    expect(formatShare(2, 3)).toBe('67%');
    expect(formatShare(5, 4)).toBe('100%');
    expect(formatShare(1, 0)).toBe('—');
  });
});

describe('spokenDuration in Spanish', () => {
  it('says the time in the translator given', () => {
    const es = translatorOf(ES);
    expect(spokenDuration(45_000, es)).toBe('45 segundos');
    expect(spokenDuration(3_900_000, es)).toBe('1 hora 5 minutos');
    expect(spokenDuration(0, es)).toBe('nada de tiempo');
  });
});
