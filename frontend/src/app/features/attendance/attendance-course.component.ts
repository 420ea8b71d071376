import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, model, OnInit, signal } from '@angular/core';
import type {
  AttendanceSettingsView,
  ContactsImportResult,
  GuardianContactsView,
  ReportFrequency,
  ReportSubscriptionView,
} from '@contracts/attendance';
import type { ApiErrorBody } from '@contracts/api';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { toShownError } from '../../core/api-error';
import { LanguageService } from '../../core/i18n/i18n';
import { AttendanceApi } from './attendance-api.service';
import { type ImportProblem, importProblems, nowIn, zoneChoices, zoneInput } from './course-settings';

/**
 * The course's side of attendance, for its instructors: the time zone its reports, files and notes use; the
 * course report by mail (weekly or monthly) for the person looking; and the guardian contacts (imported as
 * CSV, pasted or from a file) who get a student's notes with the LMS's own observers.
 */
@Component({
  selector: 'app-attendance-course',
  imports: [TranslocoPipe],
  templateUrl: './attendance-course.component.html',
  styleUrls: ['./attendance-settings.component.css', './attendance-course.component.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AttendanceCourseComponent implements OnInit {
  private readonly api = inject(AttendanceApi);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  /** Shared with the page: its reports use the zone. */
  readonly settings = model.required<AttendanceSettingsView>();
  protected readonly zones = zoneChoices();
  protected readonly nowIn = nowIn;
  protected readonly zoneText = signal<string | null>(null);
  protected readonly zoneProblem = signal<string | null>(null);
  protected readonly zoneSaved = signal(false);
  protected readonly subscription = signal<ReportSubscriptionView['subscription']>(null);
  protected readonly subscriptionProblem = signal<string | null>(null);
  protected readonly contacts = signal<GuardianContactsView | null>(null);
  protected readonly csv = signal('');
  protected readonly imported = signal<ContactsImportResult | null>(null);
  protected readonly problems = signal<ImportProblem[]>([]);
  protected readonly busy = signal(false);

  async ngOnInit(): Promise<void> {
    const [sub, contacts] = await Promise.allSettled([this.api.subscription(), this.api.contacts()]);
    if (sub.status === 'fulfilled') this.subscription.set(sub.value.subscription);
    if (contacts.status === 'fulfilled') this.contacts.set(contacts.value);
  }

  protected zoneValue(): string {
    return this.zoneText() ?? this.settings().courseTimeZone ?? '';
  }

  protected async saveZone(event: Event) {
    event.preventDefault();
    const input = zoneInput(this.zoneValue());
    if (!input.ok) {
      this.zoneProblem.set(this.i18n.translate('courseSettings.notZone', { zone: this.zoneValue().trim() }));
      return;
    }
    await this.run(async () => {
      this.settings.set(await this.api.saveTimeZone(input.zone));
      this.zoneText.set(null);
      this.zoneProblem.set(null);
      this.zoneSaved.set(true);
    }, this.zoneProblem);
  }

  protected async setFrequency(value: string) {
    await this.run(async () => {
      if (value === 'none') {
        await this.api.unsubscribe();
        this.subscription.set(null);
      } else {
        this.subscription.set((await this.api.subscribe(value as ReportFrequency)).subscription);
      }
      this.subscriptionProblem.set(null);
    }, this.subscriptionProblem);
  }

  protected async readFile(event: Event) {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) this.csv.set(await file.text());
  }

  protected async importCsv(event: Event) {
    event.preventDefault();
    this.imported.set(null);
    this.problems.set([]);
    if (!this.csv().trim()) {
      this.problems.set([{ line: null, message: this.i18n.translate('courseSettings.pasteFirst') }]);
      return;
    }
    this.busy.set(true);
    try {
      this.imported.set(await this.api.importContacts(this.csv()));
      this.contacts.set(await this.api.contacts());
    } catch (e) {
      const details = e instanceof HttpErrorResponse ? (e.error as Partial<ApiErrorBody>)?.error?.details : undefined;
      this.problems.set(importProblems(details, toShownError(e).message));
    } finally {
      this.busy.set(false);
    }
  }

  private async run(fn: () => Promise<void>, problem: (v: string | null) => void) {
    this.busy.set(true);
    try {
      await fn();
    } catch (e) {
      problem(this.language.errorText(toShownError(e)));
    } finally {
      this.busy.set(false);
    }
  }
}
