import PDFDocument from 'pdfkit';
import type { AttendanceStatus, CourseReport, SessionReport } from '../../../contracts/attendance';
import { attendanceStatuses } from '../../../contracts/attendance';
import { localTime } from '../../alerts/domain/attendance-note';
import { attendanceWords, type AttendanceWords } from '../../domain/attendance-words';

/** A table: its column titles, relative widths and rows of cells. */
interface Table {
  columns: Array<{ title: string; width: number }>;
  rows: string[][];
}

const minutes = (ms: number) => (ms / 60_000).toFixed(1);
const MARGIN = 40;

function drawTable(doc: PDFKit.PDFDocument, table: Table): void {
  const usable = doc.page.width - 2 * MARGIN;
  const total = table.columns.reduce((n, c) => n + c.width, 0);
  const widths = table.columns.map((c) => (c.width / total) * usable);
  const rowHeight = 16;
  const line = (cells: string[], bold: boolean) => {
    if (doc.y + rowHeight > doc.page.height - MARGIN) doc.addPage();
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    let x = MARGIN;
    cells.forEach((cell, i) => {
      doc.text(cell, x + 2, y + 3, { width: widths[i] - 4, height: rowHeight, ellipsis: true, lineBreak: false });
      x += widths[i];
    });
    doc
      .moveTo(MARGIN, y + rowHeight)
      .lineTo(MARGIN + usable, y + rowHeight)
      .strokeColor(bold ? '#333333' : '#cccccc')
      .stroke();
    doc.x = MARGIN;
    doc.y = y + rowHeight;
  };
  line(
    table.columns.map((c) => c.title),
    true,
  );
  for (const row of table.rows) line(row, false);
  doc.moveDown();
}

function render(build: (doc: PDFKit.PDFDocument) => void, title: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: MARGIN, info: { Title: title } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    build(doc);
    doc.end();
  });
}

const heading = (doc: PDFKit.PDFDocument, title: string, lines: string[]) => {
  doc.font('Helvetica-Bold').fontSize(16).text(title);
  doc.font('Helvetica').fontSize(10);
  for (const l of lines) doc.text(l);
  doc.moveDown();
};

const countsLine = (counts: Record<AttendanceStatus, number>, w: AttendanceWords) =>
  attendanceStatuses
    .filter((s) => counts[s])
    .map((s) => `${counts[s]} ${w.status[s]}`)
    .join(', ') || w.pdf.noClasses;

/** One class: title, course, period, the thresholds, a table of students, a summary per status. */
export function sessionReportPdf(
  r: SessionReport,
  courseTitle: string,
  w: AttendanceWords = attendanceWords(),
): Promise<Buffer> {
  const title = w.pdf.title(r.classroomTitle);
  return render((doc) => {
    const t = r.thresholds;
    heading(doc, title, [
      w.pdf.course(courseTitle),
      w.pdf.sessionPeriod(
        localTime(r.startedAt, r.timeZone),
        r.endedAt ? localTime(r.endedAt, r.timeZone) : null,
        r.timeZone,
        minutes(r.durationMs),
      ),
      w.pdf.thresholds(
        t.lateAfterMinutes,
        t.leftEarlyMinutes,
        String(t.minActiveMinutes ?? '-'),
        String(t.minActivePercent ?? '-'),
      ),
    ]);
    drawTable(doc, {
      columns: [
        { title: w.pdf.student, width: 3 },
        { title: w.pdf.firstJoin, width: 2 },
        { title: w.pdf.lastLeave, width: 2 },
        { title: w.pdf.presentMin, width: 1.2 },
        { title: w.pdf.activeMin, width: 1.2 },
        { title: w.pdf.statusCol, width: 1.3 },
        { title: w.pdf.grade, width: 1 },
      ],
      rows: r.rows.map((row) => [
        row.name,
        row.firstJoin ? localTime(row.firstJoin, r.timeZone) : '-',
        row.lastLeave ? localTime(row.lastLeave, r.timeZone) : '-',
        minutes(row.presentMs),
        minutes(row.activeMs),
        w.status[row.status],
        row.grade === null ? '-' : String(row.grade),
      ]),
    });
    const counts = Object.fromEntries(attendanceStatuses.map((s) => [s, 0])) as Record<AttendanceStatus, number>;
    for (const row of r.rows) counts[row.status]++;
    doc.font('Helvetica-Bold').fontSize(11).text(w.pdf.summary);
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(w.pdf.students(r.rows.length, countsLine(counts, w)));
  }, title);
}

/** A course over a period: the classes held, and a table with each student's summary. */
export function courseReportPdf(r: CourseReport, w: AttendanceWords = attendanceWords()): Promise<Buffer> {
  const title = w.pdf.title(r.courseTitle);
  return render((doc) => {
    heading(doc, title, [
      w.pdf.course(r.courseTitle),
      w.pdf.coursePeriod(r.from, r.to, r.timeZone),
      w.pdf.classes(r.sessions.length),
    ]);
    drawTable(doc, {
      columns: [
        { title: w.pdf.student, width: 3 },
        ...attendanceStatuses.map((s) => ({ title: w.status[s], width: 1.1 })),
        { title: w.pdf.presentMin, width: 1.3 },
        { title: w.pdf.activeMin, width: 1.3 },
      ],
      rows: r.students.map((s) => [
        s.name,
        ...attendanceStatuses.map((st) => String(s.counts[st])),
        minutes(s.presentMs),
        minutes(s.activeMs),
      ]),
    });
    doc.font('Helvetica-Bold').fontSize(11).text(w.pdf.perStudent);
    doc.font('Helvetica').fontSize(10);
    for (const s of r.students)
      doc.text(w.pdf.activeOf(s.name, countsLine(s.counts, w), minutes(s.activeMs), minutes(s.presentMs)));
  }, title);
}
