import { describe, expect, it } from 'vitest';
import { EN } from './en';
import { ES } from './es';
import { flatKeys, LANGUAGES, lookup, messageParams, pickLanguage } from './language';
import { formatLocalTime } from './local-time';

const LANGS = { en: EN, es: ES } as const;

describe('translations', () => {
  it('has a translation file for every language offered', () => {
    expect(Object.keys(LANGS).sort()).toEqual([...LANGUAGES].sort());
  });

  for (const [lang, tree] of Object.entries(LANGS)) {
    it(`${lang}: every English key exists, none more, none empty, with the same parameters`, () => {
      const missing = flatKeys(EN).filter((k) => lookup(tree, k) === undefined);
      const extra = flatKeys(tree).filter((k) => lookup(EN, k) === undefined);
      expect(missing, `missing in ${lang}`).toEqual([]);
      expect(extra, `keys in ${lang} that English does not have`).toEqual([]);
      for (const k of flatKeys(EN)) {
        const text = lookup(tree, k)!;
        expect(text.trim(), `${lang}: ${k} is empty`).not.toBe('');
        expect(messageParams(text), `${lang}: ${k} parameters`).toEqual(messageParams(lookup(EN, k)!));
      }
    });
  }

  it('Spanish is a translation, not a copy: most messages differ from English', () => {
    const keys = flatKeys(EN);
    const same = keys.filter((k) => lookup(ES, k) === lookup(EN, k));
    // A few are the same word in both (e.g. a code); more than 5% would be untranslated text.
    expect(same.length / keys.length).toBeLessThan(0.05);
  });
});

describe('pickLanguage', () => {
  it('takes the first tag Lectern speaks by its primary subtag, else English', () => {
    expect(pickLanguage(['es'])).toBe('es');
    expect(pickLanguage(['es-419'])).toBe('es');
    expect(pickLanguage(['ES_mx'])).toBe('es');
    expect(pickLanguage([null, 'fr-FR', 'es-ES'])).toBe('es');
    expect(pickLanguage(['fr', 'de'])).toBe('en');
    expect(pickLanguage([undefined, ''])).toBe('en');
    expect(pickLanguage(['en-GB', 'es'])).toBe('en');
  });
});

describe('lookup', () => {
  it('never reads inherited properties', () => {
    expect(lookup(EN, 'constructor')).toBeUndefined();
    expect(lookup(EN, '__proto__.toString')).toBeUndefined();
    expect(lookup(EN, 'roster.title')).toBe('Roster');
  });
});

describe('formatLocalTime', () => {
  const at = '2026-12-04T16:05:00Z';
  it('writes a moment in the language and the course zone', () => {
    expect(formatLocalTime(at, 'en', 'UTC', 'time')).toMatch(/4:05\s?PM/);
    expect(formatLocalTime(at, 'es', 'UTC', 'time')).toBe('16:05');
    expect(formatLocalTime(at, 'es', 'America/Mexico_City', 'time')).toBe('10:05');
    expect(formatLocalTime(at, 'es', 'Europe/Madrid', 'date')).toBe('4 dic 2026');
  });
  it('falls back to UTC for an unknown zone and to a dash for no time', () => {
    expect(formatLocalTime(at, 'es', 'Mars/Olympus', 'time')).toBe('16:05');
    expect(formatLocalTime(null, 'es', 'UTC')).toBe('—');
    expect(formatLocalTime('not a date', 'es', 'UTC')).toBe('—');
  });
});
