import PDFDocument from 'pdfkit';
import type { AttendanceStatus, CourseReport, SessionReport } from '../../../contracts/attendance';
import { attendanceStatuses } from '../../../contracts/attendance';
import { localTime } from '../../alerts/domain/attendance-note';

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

const countsLine = (counts: Record<AttendanceStatus, number>) =>
  attendanceStatuses
    .filter((s) => counts[s])
    .map((s) => `${counts[s]} ${s}`)
    .join(', ') || 'no classes';

/** One class: title, course, period, the thresholds, a table of students, a summary per status. */
export function sessionReportPdf(r: SessionReport, courseTitle: string): Promise<Buffer> {
  const title = `Attendance report: ${r.classroomTitle}`;
  return render((doc) => {
    const t = r.thresholds;
    heading(doc, title, [
      `Course: ${courseTitle}`,
      `Period: ${localTime(r.startedAt, r.timeZone)} to ${r.endedAt ? localTime(r.endedAt, r.timeZone) : 'now'} (${r.timeZone}), ${minutes(r.durationMs)} minutes`,
      `Thresholds: late after ${t.lateAfterMinutes} min, leaving early ${t.leftEarlyMinutes} min before the end, ` +
        `active at least ${t.minActiveMinutes ?? '-'} min / ${t.minActivePercent ?? '-'}%`,
    ]);
    drawTable(doc, {
      columns: [
        { title: 'Student', width: 3 },
        { title: 'First join', width: 2 },
        { title: 'Last leave', width: 2 },
        { title: 'Present min', width: 1.2 },
        { title: 'Active min', width: 1.2 },
        { title: 'Status', width: 1.3 },
        { title: 'Grade', width: 1 },
      ],
      rows: r.rows.map((row) => [
        row.name,
        row.firstJoin ? localTime(row.firstJoin, r.timeZone) : '-',
        row.lastLeave ? localTime(row.lastLeave, r.timeZone) : '-',
        minutes(row.presentMs),
        minutes(row.activeMs),
        row.status,
        row.grade === null ? '-' : String(row.grade),
      ]),
    });
    const counts = Object.fromEntries(attendanceStatuses.map((s) => [s, 0])) as Record<AttendanceStatus, number>;
    for (const row of r.rows) counts[row.status]++;
    doc.font('Helvetica-Bold').fontSize(11).text('Summary');
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(`${r.rows.length} students: ${countsLine(counts)}`);
  }, title);
}

/** A course over a period: the classes held, and a table with each student's summary. */
export function courseReportPdf(r: CourseReport): Promise<Buffer> {
  const title = `Attendance report: ${r.courseTitle}`;
  return render((doc) => {
    heading(doc, title, [
      `Course: ${r.courseTitle}`,
      `Period: ${r.from} to ${r.to} (${r.timeZone})`,
      `Classes: ${r.sessions.length}`,
    ]);
    drawTable(doc, {
      columns: [
        { title: 'Student', width: 3 },
        ...attendanceStatuses.map((s) => ({ title: s, width: 1.1 })),
        { title: 'Present min', width: 1.3 },
        { title: 'Active min', width: 1.3 },
      ],
      rows: r.students.map((s) => [
        s.name,
        ...attendanceStatuses.map((st) => String(s.counts[st])),
        minutes(s.presentMs),
        minutes(s.activeMs),
      ]),
    });
    doc.font('Helvetica-Bold').fontSize(11).text('Per student');
    doc.font('Helvetica').fontSize(10);
    for (const s of r.students)
      doc.text(
        `${s.name}: ${countsLine(s.counts)}; active ${minutes(s.activeMs)} of ${minutes(s.presentMs)} minutes present`,
      );
  }, title);
}
