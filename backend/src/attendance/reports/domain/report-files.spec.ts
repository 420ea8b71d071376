import { parse } from 'csv-parse/sync';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CourseReport, SessionReport } from '../../../contracts/attendance';
import { DEFAULT_THRESHOLDS } from '../../../contracts/attendance';
import { attendanceNote } from '../../alerts/domain/attendance-note';
import { attendanceWords, serverLanguage } from '../../domain/attendance-words';
import { courseReportCsv, sessionReportCsv } from './report-csv';
import { courseReportPdf, sessionReportPdf } from './report-pdf';

const MIN = 60_000;

/** A class of 60 minutes in Paris, in winter (UTC+1): local times are an hour ahead of the ISO instants. */
const session: SessionReport = {
  sessionId: '7d1c6a52-58f0-4d7e-9f5b-0a3e5c1b2d40',
  classroomTitle: 'Mechanics, week 3',
  startedAt: '2026-12-01T08:00:00.000Z',
  endedAt: '2026-12-01T09:00:00.000Z',
  durationMs: 60 * MIN,
  timeZone: 'Europe/Paris',
  thresholds: DEFAULT_THRESHOLDS,
  rows: [
    {
      userId: 'u-grace',
      name: 'Grace Hopper',
      firstJoin: '2026-12-01T08:01:00.000Z',
      lastLeave: '2026-12-01T09:00:00.000Z',
      presentMs: 59 * MIN,
      activeMs: 57.5 * MIN,
      status: 'present',
      grade: 9.58,
      gradeSource: 'auto',
    },
    {
      userId: 'u-alan',
      name: 'Alan Turing, Jr.',
      firstJoin: '2026-12-01T08:20:00.000Z',
      lastLeave: '2026-12-01T08:40:00.000Z',
      presentMs: 20 * MIN,
      activeMs: 6 * MIN,
      status: 'inactive',
      grade: 1,
      gradeSource: 'manual',
    },
    {
      userId: 'u-kath',
      name: 'Katherine Johnson',
      firstJoin: null,
      lastLeave: null,
      presentMs: 0,
      activeMs: 0,
      status: 'absent',
      grade: null,
      gradeSource: null,
    },
  ],
};

const counts = (c: Partial<Record<string, number>>) => ({
  present: 0,
  late: 0,
  'left-early': 0,
  inactive: 0,
  absent: 0,
  ...c,
});

const course: CourseReport = {
  courseTitle: 'Physics 101',
  from: '2026-11-30',
  to: '2026-12-06',
  timeZone: 'Europe/Paris',
  sessions: [
    {
      sessionId: 's1',
      classroomTitle: 'Mechanics',
      startedAt: '2026-12-01T08:00:00Z',
      endedAt: '2026-12-01T09:00:00Z',
    },
    {
      sessionId: 's2',
      classroomTitle: 'Mechanics',
      startedAt: '2026-12-03T08:00:00Z',
      endedAt: '2026-12-03T09:00:00Z',
    },
  ],
  students: [
    {
      userId: 'u-grace',
      name: 'Grace Hopper',
      sessions: [],
      counts: counts({ present: 1, late: 1 }),
      presentMs: 110 * MIN,
      activeMs: 101.25 * MIN,
    },
    {
      userId: 'u-alan',
      name: 'Alan Turing, Jr.',
      sessions: [],
      counts: counts({ inactive: 1, absent: 1 }),
      presentMs: 20 * MIN,
      activeMs: 6 * MIN,
    },
  ],
};

/** The text of every page of a PDF, extracted by pdf.js (a reader of its own, not the writer). */
async function pdfText(pdf: Buffer): Promise<string> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const fonts = path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + path.sep;
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl: fonts }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await doc.cleanup();
  return pages.join('\n').replace(/\s+/g, ' ');
}

describe('attendance report files', () => {
  it('session CSV parses back to the same numbers, local times in the course zone', () => {
    const rows = parse(sessionReportCsv(session), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.student)).toEqual(['Grace Hopper', 'Alan Turing, Jr.', 'Katherine Johnson']);
    expect(rows.map((r) => Number(r.present_minutes))).toEqual([59, 20, 0]);
    expect(rows.map((r) => Number(r.active_minutes))).toEqual([57.5, 6, 0]);
    expect(rows.map((r) => r.status)).toEqual(['present', 'inactive', 'absent']);
    expect(rows.map((r) => r.grade)).toEqual(['9.58', '1', '']);
    expect(rows.map((r) => r.grade_source)).toEqual(['auto', 'manual', '']);
    expect(rows[0]['first_join (Europe/Paris)']).toBe('2026-12-01 09:01');
    expect(rows[1]['last_leave (Europe/Paris)']).toBe('2026-12-01 09:40');
    expect(rows[2]['first_join (Europe/Paris)']).toBe('');
  });

  it('a class across the night DST starts (New York, 8 March 2026) and midnight: local wall times, real minutes', () => {
    // 01:30 EST is 06:30Z; at 02:00 clocks jump to 03:00 EDT; 03:30 EDT is 07:30Z: one real hour.
    const night: SessionReport = {
      ...session,
      timeZone: 'America/New_York',
      startedAt: '2026-03-08T04:50:00.000Z', // 23:50 on 7 March, local
      endedAt: '2026-03-08T07:30:00.000Z', // 03:30 EDT on 8 March
      durationMs: 160 * MIN,
      rows: [
        {
          ...session.rows[0],
          firstJoin: '2026-03-08T06:30:00.000Z',
          lastLeave: '2026-03-08T07:30:00.000Z',
          presentMs: 60 * MIN,
          activeMs: 60 * MIN,
        },
      ],
    };
    const [row] = parse(sessionReportCsv(night), { columns: true }) as Record<string, string>[];
    expect(row['first_join (America/New_York)']).toBe('2026-03-08 01:30');
    expect(row['last_leave (America/New_York)']).toBe('2026-03-08 03:30');
    expect(row.present_minutes).toBe('60.0');
  });

  it('a name that a spreadsheet would run as a formula is written as text', () => {
    const evil: SessionReport = {
      ...session,
      rows: [{ ...session.rows[0], name: '=HYPERLINK("http://evil.test","x")', userId: '@SUM(1)' }],
    };
    const [row] = parse(sessionReportCsv(evil), { columns: true }) as Record<string, string>[];
    expect(row.student).toBe(`'=HYPERLINK("http://evil.test","x")`);
    expect(row.user_id).toBe("'@SUM(1)");
    expect((parse(sessionReportCsv(session), { columns: true }) as Record<string, string>[])[0].student).toBe(
      'Grace Hopper',
    );
  });

  it('course CSV parses back to each student status counts and minutes', () => {
    const rows = parse(courseReportCsv(course), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        student: 'Grace Hopper',
        user_id: 'u-grace',
        classes: '2',
        present: '1',
        late: '1',
        'left-early': '0',
        inactive: '0',
        absent: '0',
        present_minutes: '110.0',
        active_minutes: '101.3',
      },
      {
        student: 'Alan Turing, Jr.',
        user_id: 'u-alan',
        classes: '2',
        present: '0',
        late: '0',
        'left-early': '0',
        inactive: '1',
        absent: '1',
        present_minutes: '20.0',
        active_minutes: '6.0',
      },
    ]);
  });

  it('session PDF holds the title, course, period, thresholds, the table and a summary', async () => {
    const pdf = await sessionReportPdf(session, 'Physics 101');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    expect(text).toContain('Attendance report: Mechanics, week 3');
    expect(text).toContain('Course: Physics 101');
    expect(text).toContain('Period: 2026-12-01 09:00 to 2026-12-01 10:00 (Europe/Paris), 60.0 minutes');
    expect(text).toContain('active at least - min / 50%');
    for (const h of ['Student', 'First join', 'Last leave', 'Present min', 'Active min', 'Status', 'Grade'])
      expect(text).toContain(h);
    expect(text).toMatch(/Grace Hopper 2026-12-01 09:01 2026-12-01 10:00 59\.0 57\.5 present 9\.58/);
    expect(text).toMatch(/Alan Turing, Jr\. 2026-12-01 09:20 2026-12-01 09:40 20\.0 6\.0 inactive 1/);
    expect(text).toMatch(/Katherine Johnson - - 0\.0 0\.0 absent -/);
    expect(text).toContain('3 students: 1 present, 1 inactive, 1 absent');
  });

  it('course PDF holds the period, a row per student and the per-student summary', async () => {
    const text = await pdfText(await courseReportPdf(course));
    expect(text).toContain('Attendance report: Physics 101');
    expect(text).toContain('Period: 2026-11-30 to 2026-12-06 (Europe/Paris)');
    expect(text).toContain('Classes: 2');
    expect(text).toMatch(/Grace Hopper 1 1 0 0 0 110\.0 101\.3/);
    expect(text).toMatch(/Alan Turing, Jr\. 0 0 0 1 1 20\.0 6\.0/);
    expect(text).toContain('Grace Hopper: 1 present, 1 late; active 101.3 of 110.0 minutes present');
  });

  it("in Spanish (the reader's LMS language): CSV headers and statuses, PDF labels, the note", async () => {
    const es = attendanceWords(serverLanguage('es-419'));
    const rows = parse(sessionReportCsv(session, es), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([
      'estudiante',
      'id_usuario',
      'primera_entrada (Europe/Paris)',
      'ultima_salida (Europe/Paris)',
      'minutos_presente',
      'minutos_activo',
      'estado',
      'calificacion',
      'origen_calificacion',
    ]);
    expect(rows.map((r) => r.estado)).toEqual(['presente', 'inactivo', 'ausente']);
    expect(rows.map((r) => r.origen_calificacion)).toEqual(['calculada', 'a_mano', '']);
    const courseRows = parse(courseReportCsv(course, es), { columns: true }) as Record<string, string>[];
    expect(Object.keys(courseRows[0])).toContain('salió antes');

    const text = await pdfText(await sessionReportPdf(session, 'Física 101', es));
    expect(text).toContain('Informe de asistencia: Mechanics, week 3');
    expect(text).toContain('Curso: Física 101');
    expect(text).toContain('Periodo: 2026-12-01 09:00 a 2026-12-01 10:00 (Europe/Paris), 60.0 minutos');
    for (const h of ['Estudiante', 'Primera entrada', 'Última salida', 'Min presente', 'Min activo', 'Calificación'])
      expect(text).toContain(h);
    expect(text).toContain('3 estudiantes: 1 presente, 1 inactivo, 1 ausente');
    expect(await pdfText(await courseReportPdf(course, es))).toContain('Grace Hopper: 1 presente, 1 tarde');

    const note = attendanceNote(session, session.rows[1], 'guardian', es);
    expect(note.subject).toBe('Asistencia: Mechanics, week 3, 2026-12-01 09:00');
    expect(note.text).toContain('Hola:');
    expect(note.text).toContain('Alan Turing, Jr. asistió a la clase «Mechanics, week 3» del 2026-12-01 09:00');
    expect(note.text).toContain('La clase pide estar activo al menos el 50 % de la clase.');
    expect(attendanceNote(session, session.rows[2], 'student', es).text).toContain(
      'Hola, Katherine Johnson:\n\nNo asistió a la clase',
    );
  });

  it('picks the language from a locale tag, English when Lectern does not speak it', () => {
    expect(serverLanguage('es_MX')).toBe('es');
    expect(serverLanguage(null, 'ES')).toBe('es');
    expect(serverLanguage('fr-FR')).toBe('en');
    expect(serverLanguage()).toBe('en');
  });
});
