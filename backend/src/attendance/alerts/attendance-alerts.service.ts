import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import type { Subscription } from 'rxjs';
import { DomainEvents } from '../../platform/domain-events';
import { ValidationError } from '../../platform/domain-error';
import { RosterService } from '../../roster/roster.service';
import { TenancyService } from '../../tenancy/tenancy.service';
import { ATTENDANCE_REPORT_SOURCE, type AttendanceReportSource } from '../reports/attendance-report-source';
import { attendanceNote, studentsBelowThresholds } from './domain/attendance-note';
import { parseGuardianCsv } from './domain/guardian-csv';
import { AttendanceMailRepository } from './infra/attendance-mail.repository';
import { Mailer } from './mailer';
import { attendanceWords, serverLanguage } from '../domain/attendance-words';

export const ATTENDANCE_MAIL_QUEUE = 'attendance-mail';

/** Retried with backoff: an SMTP server away for a while, the class's spans not closed yet. */
export const MAIL_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: 100,
  removeOnFail: 200,
} as const;

/** How long after the class's end its notes are worked out (the attendance module closes the spans first). */
export const ALERT_DELAY_MS = 1500;

/**
 * Notes to students who fell below the thresholds, and to their guardians. At a class's end one job per
 * class works out who gets a note (a row per class, student and recipient: made once), then one job per
 * note sends it (its job id is the note's id, and a sent note is never sent again).
 */
@Injectable()
export class AttendanceAlertsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AttendanceAlerts');
  private subscription?: Subscription;

  constructor(
    @InjectQueue(ATTENDANCE_MAIL_QUEUE) private readonly queue: Queue,
    @Inject(ATTENDANCE_REPORT_SOURCE) private readonly source: AttendanceReportSource,
    private readonly repo: AttendanceMailRepository,
    private readonly tenancy: TenancyService,
    private readonly roster: RosterService,
    private readonly mailer: Mailer,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.subscription = this.events.on('session.ended').subscribe((e) => {
      this.queue
        .add(
          'session-alerts',
          { sessionId: e.sessionId, courseId: e.courseId },
          { ...MAIL_JOB_OPTIONS, jobId: `alerts:${e.sessionId}`, delay: ALERT_DELAY_MS },
        )
        .catch((err: Error) => this.logger.error(`could not queue the notes of class ${e.sessionId}: ${err.message}`));
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** Works out the notes of a finished class and queues one job per note; returns how many notes. */
  async sessionAlerts(courseId: string, sessionId: string): Promise<number> {
    const report = await this.source.sessionReport(courseId, sessionId);
    if (!report.endedAt) throw new Error(`class ${sessionId} has not ended yet`);
    const below = studentsBelowThresholds(report);
    if (!below.length) return 0;
    const users = await this.tenancy.users(below.map((r) => r.userId));
    // Guardians: the contacts imported by the course's instructors, and the LMS's observers of the student.
    const [contacts, observers] = await Promise.all([
      this.repo.contacts(courseId),
      this.roster.observerContacts(courseId),
    ]);
    let queued = 0;
    for (const row of below) {
      const user = users.find((u) => u.id === row.userId);
      if (!user) continue;
      const recipients: Array<{ to: string; kind: 'student' | 'guardian' }> = [];
      if (user.email) recipients.push({ to: user.email.toLowerCase(), kind: 'student' });
      for (const c of contacts) if (c.subject === user.subject) recipients.push({ to: c.email, kind: 'guardian' });
      for (const o of observers)
        if (o.studentSubject === user.subject) recipients.push({ to: o.email, kind: 'guardian' });
      const seen = new Set<string>();
      for (const r of recipients) {
        if (seen.has(r.to)) continue; // an imported contact who is also the LMS's observer gets one note
        seen.add(r.to);
        // A guardian reads the note in the student's language, as the LMS gives no guardian's own.
        const note = attendanceNote(report, row, r.kind, attendanceWords(serverLanguage(user.locale)));
        const id = await this.repo.ensureNote({
          sessionId,
          courseId,
          userId: row.userId,
          recipient: r.to,
          kind: r.kind,
          subject: note.subject,
          body: note.text,
        });
        await this.queue.add('note', { noteId: id }, { ...MAIL_JOB_OPTIONS, jobId: `note:${id}` });
        queued++;
      }
    }
    return queued;
  }

  /** Sends one note unless it went already; without SMTP it is marked skipped. */
  async sendNote(noteId: string): Promise<void> {
    const note = await this.repo.note(noteId);
    if (!note || note.status === 'sent' || note.status === 'skipped') return;
    try {
      const outcome = await this.mailer.send({ to: note.recipient, subject: note.subject, text: note.body });
      await this.repo.markNote(noteId, outcome);
    } catch (e) {
      await this.repo.noteAttempted(noteId, (e as Error).message);
      throw e;
    }
  }

  async noteFailed(noteId: string, error: string): Promise<void> {
    await this.repo.markNote(noteId, 'failed', error);
  }

  /**
   * Imports guardian contacts from CSV for the course (all or nothing): each student named by LMS user id
   * or by email must be a student of the course (a learner on the roster or by launch). Returns how many
   * contacts were stored.
   */
  async importContacts(courseId: string, csv: string): Promise<{ imported: number; students: number }> {
    const parsed = parseGuardianCsv(csv);
    if (!parsed.ok) throw new ValidationError(`Invalid contacts file: ${parsed.problems.join('; ')}`, parsed.problems);
    const members = (await this.roster.members(courseId)).filter((m) => m.role === 'learner');
    const problems: string[] = [];
    const resolved = parsed.contacts.flatMap((c) => {
      const key = c.student.toLowerCase();
      const m = members.find((x) => x.subject === c.student || (x.email ?? '').toLowerCase() === key);
      if (!m) {
        problems.push(`line ${c.line}: no student ${c.student} in this course`);
        return [];
      }
      return [{ ...c, subject: m.subject }];
    });
    if (problems.length) throw new ValidationError(`Invalid contacts file: ${problems.join('; ')}`, problems);
    const imported = await this.repo.replaceContacts(courseId, resolved);
    return { imported, students: new Set(resolved.map((r) => r.subject)).size };
  }

  contacts(courseId: string) {
    return this.repo.contacts(courseId);
  }

  async observers(courseId: string) {
    return (await this.roster.observerContacts(courseId)).map((o) => ({
      subject: o.studentSubject,
      email: o.email,
      name: o.name,
      source: o.source,
    }));
  }

  notes(sessionId: string) {
    return this.repo.notes(sessionId);
  }
}
