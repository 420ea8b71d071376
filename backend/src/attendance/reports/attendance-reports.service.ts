import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { CourseReportQuery } from '../../contracts/attendance';
import { ConflictError } from '../../platform/domain-error';
import { TenancyService } from '../../tenancy/tenancy.service';
import { ATTENDANCE_MAIL_QUEUE, MAIL_JOB_OPTIONS } from '../alerts/attendance-alerts.service';
import { AttendanceMailRepository } from '../alerts/infra/attendance-mail.repository';
import { Mailer } from '../alerts/mailer';
import { ATTENDANCE_REPORT_SOURCE, type AttendanceReportSource } from './attendance-report-source';
import { attendanceWords, type ServerLanguage, serverLanguage } from '../domain/attendance-words';
import { courseReportCsv, sessionReportCsv } from './domain/report-csv';
import { courseReportPdf, sessionReportPdf } from './domain/report-pdf';
import { lastWholePeriod, periodDue, type ReportFrequency } from './domain/report-period';

export interface ReportFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** Attendance reports as files (CSV, PDF), on demand and on a weekly or monthly schedule by mail. */
@Injectable()
export class AttendanceReportsService {
  constructor(
    @Inject(ATTENDANCE_REPORT_SOURCE) private readonly source: AttendanceReportSource,
    @InjectQueue(ATTENDANCE_MAIL_QUEUE) private readonly queue: Queue,
    private readonly repo: AttendanceMailRepository,
    private readonly tenancy: TenancyService,
    private readonly mailer: Mailer,
  ) {}

  /** The language a person's files and mails are written in: their LMS's, else English. */
  async languageOf(userId: string): Promise<ServerLanguage> {
    const [user] = await this.tenancy.users([userId]);
    return serverLanguage(user?.locale);
  }

  async sessionFile(
    courseId: string,
    sessionId: string,
    format: 'csv' | 'pdf',
    lang: ServerLanguage = 'en',
  ): Promise<ReportFile> {
    const report = await this.source.sessionReport(courseId, sessionId);
    const words = attendanceWords(lang);
    const name = `attendance-${report.startedAt.slice(0, 10)}-${sessionId.slice(0, 8)}`;
    if (format === 'csv')
      return {
        filename: `${name}.csv`,
        contentType: 'text/csv; charset=utf-8',
        content: Buffer.from(sessionReportCsv(report, words)),
      };
    const course = await this.tenancy.courseTitle(courseId);
    return {
      filename: `${name}.pdf`,
      contentType: 'application/pdf',
      content: await sessionReportPdf(report, course, words),
    };
  }

  async courseFile(
    courseId: string,
    query: CourseReportQuery,
    format: 'csv' | 'pdf',
    lang: ServerLanguage = 'en',
  ): Promise<ReportFile> {
    const report = await this.source.courseReport(courseId, query);
    const words = attendanceWords(lang);
    const name = `attendance-${query.from}-to-${query.to}`;
    if (format === 'csv')
      return {
        filename: `${name}.csv`,
        contentType: 'text/csv; charset=utf-8',
        content: Buffer.from(courseReportCsv(report, words)),
      };
    return { filename: `${name}.pdf`, contentType: 'application/pdf', content: await courseReportPdf(report, words) };
  }

  /** Subscribes the person (an instructor or admin of the course) to the course report by mail, to their LMS email. */
  async subscribe(courseId: string, userId: string, frequency: ReportFrequency) {
    const [user] = await this.tenancy.users([userId]);
    if (!user?.email)
      throw new ConflictError(
        'NO_EMAIL',
        'Your LMS did not give Lectern your email address, so reports cannot be mailed',
      );
    await this.repo.subscribe(courseId, userId, user.email, frequency);
    return this.subscription(courseId, userId);
  }

  async unsubscribe(courseId: string, userId: string): Promise<void> {
    await this.repo.unsubscribe(courseId, userId);
  }

  async subscription(courseId: string, userId: string) {
    const s = await this.repo.subscription(courseId, userId);
    return s ? { frequency: s.frequency, email: s.email, lastPeriodEnd: s.lastPeriodEnd } : null;
  }

  /**
   * Queues the report of every subscription owed one (its last whole week or month, in the course's zone,
   * not sent yet). The job id names the subscription and the period: instances dispatching together queue it once.
   */
  async dispatch(now = new Date()): Promise<number> {
    let queued = 0;
    for (const s of await this.repo.allSubscriptions()) {
      const period = lastWholePeriod(s.frequency, now, await this.source.courseTimeZone(s.courseId));
      if (!periodDue(s.lastPeriodEnd, period)) continue;
      await this.queue.add(
        'send-report',
        { subscriptionId: s.id, ...period },
        { ...MAIL_JOB_OPTIONS, jobId: `report:${s.id}:${period.to}` },
      );
      queued++;
    }
    return queued;
  }

  /** Mails one period's course report (CSV and PDF attached) unless it was sent already. */
  async sendReport(subscriptionId: string, from: string, to: string): Promise<void> {
    const s = await this.repo.subscriptionById(subscriptionId);
    if (!s || !periodDue(s.lastPeriodEnd, { from, to })) return;
    const lang = await this.languageOf(s.userId);
    const [csv, pdf] = await Promise.all([
      this.courseFile(s.courseId, { from, to }, 'csv', lang),
      this.courseFile(s.courseId, { from, to }, 'pdf', lang),
    ]);
    const course = await this.tenancy.courseTitle(s.courseId);
    const words = attendanceWords(lang).reportMail;
    await this.mailer.send({
      to: s.email,
      subject: words.subject(course, from, to),
      text: words.text(s.frequency, course, from, to),
      attachments: [csv, pdf].map((f) => ({ filename: f.filename, content: f.content, contentType: f.contentType })),
    });
    await this.repo.periodSent(s.id, to);
  }
}
