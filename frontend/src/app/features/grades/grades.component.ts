import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  HostListener,
  inject,
  OnInit,
  signal,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import type { GradebookView } from '@contracts/api';
import { ShownError, toShownError } from '../../core/api-error';
import { ErrorNoticeComponent } from '../../core/error-notice.component';
import { LanguageService, LocalTimePipe } from '../../core/i18n/i18n';
import { formatDuration } from '../attendance/duration';
import { fold } from '../roster/roster-list';
import { GradesApi } from './grades-api.service';
import {
  attendanceBySubject,
  draftProblem,
  gradeEveryonePresent,
  pendingGrades,
  type ClassAttendance,
  type GradebookStudent,
} from './grade-sheet';

/**
 * Attendance grades of this classroom: each student's attendance in a class (from the attendance module's
 * report) beside their grade, full points to everyone present in one click, one save for every change
 * (confirmed in words), and whether each grade reached the LMS gradebook.
 */
@Component({
  selector: 'app-grades',
  imports: [RouterLink, TranslocoPipe, LocalTimePipe, ErrorNoticeComponent],
  templateUrl: './grades.component.html',
  styleUrl: './grades.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GradesComponent implements OnInit {
  private readonly api = inject(GradesApi);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  protected readonly book = signal<GradebookView | null>(null);
  protected readonly error = signal<ShownError | null>(null);
  protected readonly busy = signal(false);
  /** Scores typed and not saved yet, by subject. */
  protected readonly drafts = signal<ReadonlyMap<string, string>>(new Map());
  /** The class whose attendance is shown (its session id), and its attendance by subject. */
  protected readonly classId = signal<string | null>(null);
  protected readonly attendance = signal<ReadonlyMap<string, ClassAttendance> | null>(null);
  protected readonly search = signal('');
  /** What the last action did, in words (announced). */
  protected readonly notice = signal<string | null>(null);
  protected readonly duration = formatDuration;

  protected readonly zone = computed(() => this.book()?.timeZone ?? 'UTC');
  protected readonly points = computed(() => this.book()?.attendancePoints ?? null);
  protected readonly rows = computed(() => {
    const words = fold(this.search()).split(/\s+/).filter(Boolean);
    const collator = new Intl.Collator(this.language.current());
    return (this.book()?.students ?? [])
      .filter((s) => words.every((w) => fold(`${s.name} ${s.subject}`).includes(w)))
      .sort((a, b) => collator.compare(a.name, b.name));
  });
  protected readonly pending = computed(() =>
    pendingGrades(this.book()?.students ?? [], this.drafts(), this.points() ?? 0),
  );

  constructor() {
    const timer = setInterval(() => {
      if (this.book()?.students.some((s) => s.attendance?.status === 'pending')) void this.reload();
    }, 2000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  /** Typed scores are not lost by closing the page unawares. */
  @HostListener('window:beforeunload', ['$event'])
  protected unsaved(event: BeforeUnloadEvent) {
    if (this.pending().grades.length) event.preventDefault();
  }

  async ngOnInit(): Promise<void> {
    await this.act(async () => {
      const book = await this.api.gradebook();
      this.book.set(book);
      await this.showClass(book.classes[0]?.sessionId ?? null);
    });
  }

  /** The gradebook again (statuses of posts), keeping what was typed. */
  private async reload() {
    try {
      this.book.set(await this.api.gradebook());
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  protected async showClass(sessionId: string | null) {
    this.classId.set(sessionId);
    if (!sessionId) {
      this.attendance.set(null);
      return;
    }
    const report = await this.api.classReport(sessionId);
    this.attendance.set(attendanceBySubject(this.book()?.students ?? [], report));
  }

  protected pickClass(sessionId: string) {
    return this.act(() => this.showClass(sessionId || null));
  }

  protected draftOf(s: GradebookStudent): string {
    return this.drafts().get(s.subject) ?? (s.attendance ? String(s.attendance.scoreGiven) : '');
  }

  protected problemOf(s: GradebookStudent): string | null {
    const text = this.drafts().get(s.subject);
    return text === undefined ? null : draftProblem(text, this.points() ?? 0);
  }

  protected type(s: GradebookStudent, text: string) {
    this.notice.set(null);
    this.drafts.update((d) => new Map(d).set(s.subject, text));
  }

  protected everyonePresent() {
    const att = this.attendance();
    const points = this.points();
    if (!att || !points) return;
    const { drafts, count } = gradeEveryonePresent(this.book()?.students ?? [], att, points, this.drafts());
    this.drafts.set(drafts);
    this.notice.set(this.i18n.translate('grades.filledPresent', { count, points }));
  }

  protected async saveAll() {
    const { grades, invalid } = this.pending();
    if (invalid.length) {
      this.notice.set(this.i18n.translate('grades.fixFirst', { count: invalid.length }));
      return;
    }
    if (!grades.length) return;
    await this.act(async () => {
      const { saved } = await this.api.saveAttendanceScores({ grades });
      this.drafts.set(new Map());
      this.book.set(await this.api.gradebook());
      this.notice.set(this.i18n.translate('grades.saved', { count: saved }));
    });
  }

  protected discard() {
    this.drafts.set(new Map());
    this.notice.set(null);
  }

  protected setPoints(value: string) {
    const n = value.trim() === '' ? null : Number(value);
    return this.act(async () => {
      await this.api.setAttendancePoints(n);
      await this.reload();
      this.notice.set(
        n === null ? this.i18n.translate('grades.pointsOff') : this.i18n.translate('grades.pointsSaved', { points: n }),
      );
    });
  }

  protected retry(outboxId: string) {
    return this.act(async () => {
      await this.api.retry(outboxId);
      await this.reload();
    });
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
