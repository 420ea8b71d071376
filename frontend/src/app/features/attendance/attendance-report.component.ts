import { ChangeDetectionStrategy, Component, computed, inject, OnInit, signal } from '@angular/core';
import { ActivatedRoute, RouterLink } from '@angular/router';
import {
  ATTENDANCE_LIMITS,
  attendanceStatuses,
  type AttendanceSettingsView,
  type CourseReport,
  type SessionReport,
} from '@contracts/attendance';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { errorKey, ShownError, toShownError } from '../../core/api-error';
import { LanguageService } from '../../core/i18n/i18n';
import { AttendanceApi } from './attendance-api.service';
import { AttendanceCourseComponent } from './attendance-course.component';
import { AttendanceSettingsComponent } from './attendance-settings.component';
import {
  dayInZone,
  defaultRange,
  formatTime,
  rangeProblem,
  reportFileName,
  statusReason,
  thresholdLines,
} from './attendance-view';
import { formatDuration, formatShare, spokenDuration } from './duration';

/**
 * After class: the course's attendance over a period (per student, each status counted), one class's
 * report (each student's first join, last leave, time present and active, status and why), CSV and PDF,
 * and the classroom's settings. Times are shown in the course's time zone.
 */
@Component({
  selector: 'app-attendance-report',
  imports: [RouterLink, TranslocoPipe, AttendanceSettingsComponent, AttendanceCourseComponent],
  templateUrl: './attendance-report.component.html',
  styleUrl: './attendance-report.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AttendanceReportComponent implements OnInit {
  private readonly api = inject(AttendanceApi);
  private readonly route = inject(ActivatedRoute);
  protected readonly settings = signal<AttendanceSettingsView | null>(null);
  protected readonly from = signal('');
  protected readonly to = signal('');
  protected readonly course = signal<CourseReport | null>(null);
  protected readonly session = signal<SessionReport | null>(null);
  protected readonly error = signal<ShownError | null>(null);
  protected readonly busy = signal(false);
  protected readonly statuses = attendanceStatuses;
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  private readonly tr = (key: string, params?: Record<string, string | number>) => this.i18n.translate(key, params);
  /** An error in the person's words (its code's, else the server's message). */
  protected readonly errorText = computed(() => {
    const e = this.error();
    const key = e && errorKey(e);
    return e ? (key ? this.i18n.translate(key) : e.message) : '';
  });
  protected readonly duration = formatDuration;
  protected readonly spoken = (ms: number | null | undefined) =>
    spokenDuration(ms, (key, params) => (this.language.current(), this.i18n.translate(key, params)));
  protected readonly share = formatShare;

  protected readonly zone = computed(() => this.session()?.timeZone ?? this.course()?.timeZone ?? 'UTC');
  /** Newest class first. */
  protected readonly sessions = computed(() =>
    [...(this.course()?.sessions ?? [])].sort((a, b) => b.startedAt.localeCompare(a.startedAt)),
  );
  protected readonly sessionRows = computed(() => {
    const r = this.session();
    if (!r) return [];
    return [...r.rows]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((row) => ({ ...row, reason: (this.language.current(), statusReason(row, r, this.tr)) }));
  });
  protected readonly sessionThresholds = computed(() => {
    const r = this.session();
    this.language.current();
    return r ? thresholdLines(r.thresholds, this.tr) : [];
  });
  protected readonly courseRows = computed(() =>
    [...(this.course()?.students ?? [])].sort((a, b) => a.name.localeCompare(b.name)),
  );

  async ngOnInit(): Promise<void> {
    await this.act(async () => {
      const settings = await this.api.settings();
      this.settings.set(settings);
      const range = defaultRange(new Date(), settings.timeZone);
      this.from.set(range.from);
      this.to.set(range.to);
      await this.loadCourse();
      // A class named in the address (e.g. from the room after it ended), else the newest one.
      const wanted = this.route.snapshot.queryParamMap.get('session') ?? this.sessions()[0]?.sessionId;
      if (wanted) this.session.set(await this.api.sessionReport(wanted));
    });
  }

  protected time(iso: string | null, withDay = false): string {
    return formatTime(iso, this.zone(), withDay, this.language.current());
  }

  protected showPeriod(event: Event) {
    event.preventDefault();
    const problem = rangeProblem(this.from(), this.to(), ATTENDANCE_LIMITS.reportDays, this.tr);
    if (problem) {
      this.error.set({ code: 'RANGE_PROBLEM', message: problem, relaunch: false });
      return;
    }
    return this.act(() => this.loadCourse());
  }

  protected openSession(id: string) {
    return this.act(async () => this.session.set(await this.api.sessionReport(id)));
  }

  protected downloadSession(ext: 'csv' | 'pdf') {
    const r = this.session();
    if (!r) return;
    const day = dayInZone(new Date(r.startedAt), r.timeZone);
    return this.act(async () =>
      save(await this.api.sessionFile(r.sessionId, ext), reportFileName(r.classroomTitle, day, ext)),
    );
  }

  protected downloadCourse(ext: 'csv' | 'pdf') {
    const c = this.course();
    if (!c) return;
    const range = { from: c.from, to: c.to };
    return this.act(async () =>
      save(await this.api.courseFile(range, ext), reportFileName(c.courseTitle, `${c.from}-to-${c.to}`, ext)),
    );
  }

  private async loadCourse() {
    this.course.set(await this.api.courseReport({ from: this.from(), to: this.to() }));
  }

  private async act(fn: () => Promise<void>) {
    this.busy.set(true);
    try {
      await fn();
      this.error.set(null);
    } catch (e) {
      this.error.set(toShownError(e));
    } finally {
      this.busy.set(false);
    }
  }
}

function save(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
