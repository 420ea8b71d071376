import { InjectQueue, OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config';
import { RepeatableSchedule } from '../../platform/repeatable-schedule';
import { ATTENDANCE_MAIL_QUEUE, AttendanceAlertsService } from '../alerts/attendance-alerts.service';
import { AttendanceReportsService } from './attendance-reports.service';

/** The jobs of attendance mail: a class's notes, each note, the schedule's dispatch, each scheduled report. */
@Processor(ATTENDANCE_MAIL_QUEUE)
export class AttendanceMailProcessor {
  private readonly logger = new Logger('AttendanceMail');

  constructor(
    private readonly alerts: AttendanceAlertsService,
    private readonly reports: AttendanceReportsService,
  ) {}

  @Process('session-alerts')
  sessionAlerts(job: Job<{ courseId: string; sessionId: string }>) {
    return this.alerts.sessionAlerts(job.data.courseId, job.data.sessionId);
  }

  @Process('note')
  note(job: Job<{ noteId: string }>) {
    return this.alerts.sendNote(job.data.noteId);
  }

  @Process('dispatch-reports')
  dispatch() {
    return this.reports.dispatch();
  }

  @Process('send-report')
  sendReport(job: Job<{ subscriptionId: string; from: string; to: string }>) {
    return this.reports.sendReport(job.data.subscriptionId, job.data.from, job.data.to);
  }

  /** After the last attempt a note is marked failed, with its reason (kept, visible); other jobs are logged. */
  @OnQueueFailed()
  async failed(job: Job<{ noteId?: string }>, error: Error) {
    const last = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!last) return;
    this.logger.error(`${job.name} ${job.id} failed for good: ${error.message}`);
    try {
      if (job.name === 'note' && job.data.noteId) await this.alerts.noteFailed(job.data.noteId, error.message);
    } catch (e) {
      this.logger.error(`could not mark note ${job.data.noteId} failed: ${(e as Error).message}`);
    }
  }
}

/** Keeps the report dispatch scheduled (healed after Redis loses its data); it runs once at once when restored. */
@Injectable()
export class AttendanceReportScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly schedule: RepeatableSchedule;

  constructor(@InjectQueue(ATTENDANCE_MAIL_QUEUE) queue: Queue, @Inject(APP_CONFIG) config: AppConfig) {
    this.schedule = new RepeatableSchedule(
      queue,
      [
        {
          name: 'dispatch-reports',
          jobId: 'attendance-report-dispatch',
          every: config.reportDispatchMs,
          runWhenRestored: true,
        },
      ],
      config.scheduleCheckMs,
    );
  }

  onModuleInit(): Promise<void> {
    return this.schedule.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.schedule.stop();
  }
}
