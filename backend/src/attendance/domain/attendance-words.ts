import type { AttendanceStatus } from '../../contracts/attendance';

/**
 * What the server writes about attendance when nobody is looking at a screen (the CSV and PDF files, the
 * notes to students and guardians, the course report by mail), in each language Lectern speaks. The app's
 * own words are in frontend/src/app/core/i18n; these are the server's, kept to what the files and mails say.
 * Pure. To add a language: a `Words` object below and its code in SERVER_LANGUAGES (the compiler lists what
 * is missing).
 */
export const SERVER_LANGUAGES = ['en', 'es'] as const;
export type ServerLanguage = (typeof SERVER_LANGUAGES)[number];

/**
 * The language to write in for a person: their LMS's locale (`es-419`, `es_MX` are Spanish) when Lectern
 * speaks it, else the fallback's (the course's or platform's default), else English.
 */
export function serverLanguage(...tags: ReadonlyArray<string | null | undefined>): ServerLanguage {
  for (const tag of tags) {
    if (typeof tag !== 'string') continue;
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    if ((SERVER_LANGUAGES as readonly string[]).includes(primary)) return primary as ServerLanguage;
  }
  return 'en';
}

export interface AttendanceWords {
  status: Record<AttendanceStatus, string>;
  csv: {
    student: string;
    userId: string;
    firstJoin: (zone: string) => string;
    lastLeave: (zone: string) => string;
    presentMinutes: string;
    activeMinutes: string;
    status: string;
    grade: string;
    gradeSource: string;
    gradeSources: Record<'auto' | 'manual', string>;
    classes: string;
  };
  pdf: {
    title: (what: string) => string;
    course: (title: string) => string;
    sessionPeriod: (from: string, to: string | null, zone: string, minutes: string) => string;
    coursePeriod: (from: string, to: string, zone: string) => string;
    thresholds: (late: number, early: number, minutes: string, percent: string) => string;
    classes: (n: number) => string;
    student: string;
    firstJoin: string;
    lastLeave: string;
    presentMin: string;
    activeMin: string;
    statusCol: string;
    grade: string;
    summary: string;
    perStudent: string;
    students: (n: number, counts: string) => string;
    noClasses: string;
    activeOf: (name: string, counts: string, active: string, present: string) => string;
  };
  note: {
    subject: (classroom: string, when: string) => string;
    helloStudent: (name: string) => string;
    hello: string;
    absentYou: (classroom: string, when: string, zone: string) => string;
    absentThem: (name: string, classroom: string, when: string, zone: string) => string;
    attendedYou: (classroom: string, when: string, zone: string, present: number, active: number, of: number) => string;
    attendedThem: (
      name: string,
      classroom: string,
      when: string,
      zone: string,
      present: number,
      active: number,
      of: number,
    ) => string;
    ruleMinutes: (n: number) => string;
    rulePercent: (n: number) => string;
    asks: (rules: string[]) => string;
    footer: string;
  };
  reportMail: {
    subject: (course: string, from: string, to: string) => string;
    text: (frequency: 'weekly' | 'monthly', course: string, from: string, to: string) => string;
  };
}

const EN: AttendanceWords = {
  // English keeps the codes as they were written before there were translations (scripts read them).
  status: { present: 'present', late: 'late', 'left-early': 'left-early', inactive: 'inactive', absent: 'absent' },
  csv: {
    student: 'student',
    userId: 'user_id',
    firstJoin: (zone) => `first_join (${zone})`,
    lastLeave: (zone) => `last_leave (${zone})`,
    presentMinutes: 'present_minutes',
    activeMinutes: 'active_minutes',
    status: 'status',
    grade: 'grade',
    gradeSource: 'grade_source',
    gradeSources: { auto: 'auto', manual: 'manual' },
    classes: 'classes',
  },
  pdf: {
    title: (what) => `Attendance report: ${what}`,
    course: (title) => `Course: ${title}`,
    sessionPeriod: (from, to, zone, minutes) => `Period: ${from} to ${to ?? 'now'} (${zone}), ${minutes} minutes`,
    coursePeriod: (from, to, zone) => `Period: ${from} to ${to} (${zone})`,
    thresholds: (late, early, minutes, percent) =>
      `Thresholds: late after ${late} min, leaving early ${early} min before the end, active at least ${minutes} min / ${percent}%`,
    classes: (n) => `Classes: ${n}`,
    student: 'Student',
    firstJoin: 'First join',
    lastLeave: 'Last leave',
    presentMin: 'Present min',
    activeMin: 'Active min',
    statusCol: 'Status',
    grade: 'Grade',
    summary: 'Summary',
    perStudent: 'Per student',
    students: (n, counts) => `${n} students: ${counts}`,
    noClasses: 'no classes',
    activeOf: (name, counts, active, present) => `${name}: ${counts}; active ${active} of ${present} minutes present`,
  },
  note: {
    subject: (classroom, when) => `Attendance: ${classroom}, ${when}`,
    helloStudent: (name) => `Hello ${name},`,
    hello: 'Hello,',
    absentYou: (c, when, zone) => `You did not attend the class "${c}" of ${when} (${zone}).`,
    absentThem: (name, c, when, zone) => `${name} did not attend the class "${c}" of ${when} (${zone}).`,
    attendedYou: (c, when, zone, present, active, of) =>
      `You attended the class "${c}" of ${when} (${zone}) for ${present} minutes, ` +
      `of which ${active} active (the class page visible), out of ${of} minutes.`,
    attendedThem: (name, c, when, zone, present, active, of) =>
      `${name} attended the class "${c}" of ${when} (${zone}) for ${present} minutes, ` +
      `of which ${active} active (the class page visible), out of ${of} minutes.`,
    ruleMinutes: (n) => `at least ${n} active minutes`,
    rulePercent: (n) => `active for at least ${n}% of the class`,
    asks: (rules) => `The class asks for ${rules.join(' or ')}.`,
    footer: 'This note was sent automatically by Lectern.',
  },
  reportMail: {
    subject: (course, from, to) => `Attendance report: ${course}, ${from} to ${to}`,
    text: (frequency, course, from, to) =>
      `The ${frequency} attendance report of ${course} for ${from} to ${to} is attached (CSV and PDF).\n\n` +
      'Sent by Lectern; unsubscribe on the attendance reports page.',
  },
};

const ES: AttendanceWords = {
  status: { present: 'presente', late: 'tarde', 'left-early': 'salió antes', inactive: 'inactivo', absent: 'ausente' },
  csv: {
    student: 'estudiante',
    userId: 'id_usuario',
    firstJoin: (zone) => `primera_entrada (${zone})`,
    lastLeave: (zone) => `ultima_salida (${zone})`,
    presentMinutes: 'minutos_presente',
    activeMinutes: 'minutos_activo',
    status: 'estado',
    grade: 'calificacion',
    gradeSource: 'origen_calificacion',
    gradeSources: { auto: 'calculada', manual: 'a_mano' },
    classes: 'clases',
  },
  pdf: {
    title: (what) => `Informe de asistencia: ${what}`,
    course: (title) => `Curso: ${title}`,
    sessionPeriod: (from, to, zone, minutes) => `Periodo: ${from} a ${to ?? 'ahora'} (${zone}), ${minutes} minutos`,
    coursePeriod: (from, to, zone) => `Periodo: ${from} a ${to} (${zone})`,
    thresholds: (late, early, minutes, percent) =>
      `Umbrales: tarde después de ${late} min, salida anticipada ${early} min antes del final, activo al menos ${minutes} min / ${percent} %`,
    classes: (n) => `Clases: ${n}`,
    student: 'Estudiante',
    firstJoin: 'Primera entrada',
    lastLeave: 'Última salida',
    presentMin: 'Min presente',
    activeMin: 'Min activo',
    statusCol: 'Estado',
    grade: 'Calificación',
    summary: 'Resumen',
    perStudent: 'Por estudiante',
    students: (n, counts) => `${n} estudiantes: ${counts}`,
    noClasses: 'ninguna clase',
    activeOf: (name, counts, active, present) => `${name}: ${counts}; activo ${active} de ${present} minutos presente`,
  },
  note: {
    subject: (classroom, when) => `Asistencia: ${classroom}, ${when}`,
    helloStudent: (name) => `Hola, ${name}:`,
    hello: 'Hola:',
    absentYou: (c, when, zone) => `No asistió a la clase «${c}» del ${when} (${zone}).`,
    absentThem: (name, c, when, zone) => `${name} no asistió a la clase «${c}» del ${when} (${zone}).`,
    attendedYou: (c, when, zone, present, active, of) =>
      `Asistió a la clase «${c}» del ${when} (${zone}) durante ${present} minutos, ` +
      `de los cuales ${active} activo (con la página de la clase visible), de ${of} minutos.`,
    attendedThem: (name, c, when, zone, present, active, of) =>
      `${name} asistió a la clase «${c}» del ${when} (${zone}) durante ${present} minutos, ` +
      `de los cuales ${active} activo (con la página de la clase visible), de ${of} minutos.`,
    ruleMinutes: (n) => `al menos ${n} minutos activos`,
    rulePercent: (n) => `estar activo al menos el ${n} % de la clase`,
    asks: (rules) => `La clase pide ${rules.join(' o ')}.`,
    footer: 'Lectern envió este aviso automáticamente.',
  },
  reportMail: {
    subject: (course, from, to) => `Informe de asistencia: ${course}, ${from} a ${to}`,
    text: (frequency, course, from, to) =>
      `Se adjunta el informe ${frequency === 'weekly' ? 'semanal' : 'mensual'} de asistencia de ${course} del ${from} al ${to} (CSV y PDF).\n\n` +
      'Enviado por Lectern; puede darse de baja en la página de informes de asistencia.',
  },
};

const WORDS: Record<ServerLanguage, AttendanceWords> = { en: EN, es: ES };

/** The attendance words in a language. */
export function attendanceWords(lang: ServerLanguage = 'en'): AttendanceWords {
  return WORDS[lang];
}
