import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, courseTimeZoneBodySchema, platformAttendanceBodySchema } from './attendance';

describe('course time zones', () => {
  it('takes IANA names Intl knows, in their canonical spelling', () => {
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    // Three-part names are zones too (ICU may answer the older alias, America/Buenos_Aires).
    expect(canonicalTimeZone('America/Argentina/Buenos_Aires')).toMatch(/Buenos_Aires$/);
  });

  it('refuses what is not a zone: unknown names, offsets, abbreviations, prototype keys, long strings', () => {
    for (const bad of [
      'Mars/Olympus',
      '+01:00',
      'CET',
      'EST',
      '__proto__',
      'constructor',
      '',
      'Europe/' + 'x'.repeat(80),
    ])
      expect(canonicalTimeZone(bad), bad).toBeNull();
  });

  it('the bodies validate the zone and hand back the canonical name; null clears it', () => {
    expect(courseTimeZoneBodySchema.parse({ timeZone: 'europe/paris' })).toEqual({ timeZone: 'Europe/Paris' });
    expect(courseTimeZoneBodySchema.parse({ timeZone: null })).toEqual({ timeZone: null });
    expect(courseTimeZoneBodySchema.safeParse({ timeZone: 'Nowhere/Land' }).success).toBe(false);
    expect(courseTimeZoneBodySchema.safeParse({ timeZone: 'UTC', extra: 1 }).success).toBe(false);
    expect(platformAttendanceBodySchema.safeParse({ thresholds: null, timeZone: 'Asia/Tokyo' }).success).toBe(true);
  });
});
