import type { RosterMemberView } from '@contracts/api';
import { describe, expect, it } from 'vitest';
import { csvCell, csvText } from '../../core/csv-file';
import { DEFAULT_ROSTER_QUERY, fold, pageOf, rosterRows, type RosterQuery } from './roster-list';

const member = (over: Partial<RosterMemberView>): RosterMemberView => ({
  subject: over.name ?? 'x',
  name: 'x',
  email: null,
  role: 'learner',
  status: 'active',
  lastLaunchAt: null,
  lastAttendedAt: null,
  classesAttended: 0,
  hereNow: false,
  source: 'lms',
  ...over,
});

const people = [
  member({ name: 'José Álvarez', email: 'jose@x.test', lastAttendedAt: '2026-12-01T10:00:00Z', classesAttended: 3 }),
  member({ name: 'ana Berg', lastAttendedAt: '2026-12-03T10:00:00Z', classesAttended: 1, hereNow: true }),
  member({ name: 'Zoe Costa', status: 'inactive' }),
  member({ name: 'Ada Lovelace', role: 'instructor', lastAttendedAt: '2026-12-02T10:00:00Z', classesAttended: 5 }),
  member({ name: 'Bruno Diaz' }),
];
const collator = new Intl.Collator('en');
const names = (q: Partial<RosterQuery>) =>
  rosterRows(people, { ...DEFAULT_ROSTER_QUERY, ...q }, collator).map((m) => m.name);

describe('roster list', () => {
  it('searches names, emails and ids without regard to case or accents, every word', () => {
    expect(fold('José ÁLVAREZ')).toBe('jose alvarez');
    expect(names({ search: 'jose' })).toEqual(['José Álvarez']);
    expect(names({ search: 'JOSE@x' })).toEqual(['José Álvarez']);
    expect(names({ search: 'ana berg' })).toEqual(['ana Berg']);
    expect(names({ search: 'ana zzz' })).toEqual([]);
  });

  it('filters by status', () => {
    expect(names({ filter: 'left-course' })).toEqual(['Zoe Costa']);
    expect(names({ filter: 'never-attended' })).toEqual(['Bruno Diaz']);
    expect(names({ filter: 'here-now' })).toEqual(['ana Berg']);
    expect(names({ filter: 'active' })).toHaveLength(4);
  });

  it('sorts by each column both ways, ties by name', () => {
    expect(names({})).toEqual(['Ada Lovelace', 'ana Berg', 'Bruno Diaz', 'José Álvarez', 'Zoe Costa']);
    expect(names({ sort: 'classes', descending: true })).toEqual([
      'Ada Lovelace',
      'José Álvarez',
      'ana Berg',
      'Bruno Diaz',
      'Zoe Costa',
    ]);
    // Never attended first when ascending: the people to follow up.
    expect(names({ sort: 'last-attended' })).toEqual([
      'Bruno Diaz',
      'Zoe Costa',
      'José Álvarez',
      'Ada Lovelace',
      'ana Berg',
    ]);
    expect(names({ sort: 'role' })[0]).toBe('Ada Lovelace');
    expect(names({ sort: 'status', descending: true })[0]).toBe('Zoe Costa');
  });

  it('pages, never past the end', () => {
    const rows = Array.from({ length: 263 }, (_, i) => i);
    expect(pageOf(rows, 0, 100)).toMatchObject({ page: 0, pages: 3 });
    expect(pageOf(rows, 2, 100).rows).toHaveLength(63);
    expect(pageOf(rows, 9, 100).page).toBe(2);
    expect(pageOf([], 0, 50)).toMatchObject({ rows: [], page: 0, pages: 1 });
  });
});

describe('CSV file', () => {
  it('quotes what needs it and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell(null)).toBe('');
    expect(csvText(['a', 'b'], [['1', 2]])).toBe('\uFEFFa,b\r\n1,2\r\n');
  });
});
