import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import type { RosterMemberView, RosterView } from '@contracts/api';
import { ShownError, toShownError } from '../../core/api-error';
import { csvText, downloadText } from '../../core/csv-file';
import { ErrorNoticeComponent } from '../../core/error-notice.component';
import { LanguageService, LocalTimePipe } from '../../core/i18n/i18n';
import {
  DEFAULT_ROSTER_QUERY,
  pageOf,
  rosterFilters,
  rosterRows,
  rosterSorts,
  type RosterFilter,
  type RosterQuery,
  type RosterSort,
} from './roster-list';
import { RosterApi } from './roster-api.service';

const PAGE_SIZES = [50, 100, 250] as const;

/**
 * The course roster from the LMS (NRPS): who is enrolled, their LMS status, and who has never attended a
 * class (attendance's records). Search, a filter by status, sorting, pages, and a CSV of what is shown.
 * The whole roster comes in one answer (a course of 10 000 is a few hundred KB), so these run in the page.
 */
@Component({
  selector: 'app-roster',
  imports: [RouterLink, TranslocoPipe, LocalTimePipe, ErrorNoticeComponent],
  templateUrl: './roster.component.html',
  styleUrl: './roster.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RosterComponent implements OnInit {
  private readonly api = inject(RosterApi);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  protected readonly roster = signal<RosterView | null>(null);
  protected readonly error = signal<ShownError | null>(null);
  protected readonly busy = signal(false);
  protected readonly query = signal<RosterQuery>(DEFAULT_ROSTER_QUERY);
  protected readonly page = signal(0);
  protected readonly pageSize = signal<number>(PAGE_SIZES[0]);
  protected readonly pageSizes = PAGE_SIZES;
  protected readonly filters = rosterFilters;
  protected readonly sorts = rosterSorts;

  protected readonly active = computed(() => this.roster()?.members.filter((m) => m.status === 'active') ?? []);
  protected readonly never = computed(() => this.active().filter((m) => !m.lastAttendedAt));
  protected readonly here = computed(() => this.active().filter((m) => m.hereNow));
  protected readonly rows = computed(() =>
    rosterRows(this.roster()?.members ?? [], this.query(), new Intl.Collator(this.language.current())),
  );
  protected readonly shown = computed(() => pageOf(this.rows(), this.page(), this.pageSize()));
  protected readonly zone = computed(() => this.roster()?.timeZone ?? 'UTC');

  constructor() {
    const timer = setInterval(() => {
      if (this.roster()?.sync?.status === 'running' || this.busy()) void this.load();
    }, 2000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  ngOnInit(): Promise<void> {
    return this.load();
  }

  async load(): Promise<void> {
    try {
      const r = await this.api.roster();
      this.roster.set(r);
      if (r.sync?.status !== 'running') this.busy.set(false);
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  async syncNow(): Promise<void> {
    this.busy.set(true);
    try {
      await this.api.sync();
    } catch (e) {
      this.error.set(toShownError(e));
      this.busy.set(false);
    }
  }

  protected setSearch(search: string) {
    this.query.update((q) => ({ ...q, search }));
    this.page.set(0);
  }

  protected setFilter(filter: string) {
    this.query.update((q) => ({ ...q, filter: filter as RosterFilter }));
    this.page.set(0);
  }

  /** A column heading: sorts by it; again, the other way. */
  protected sortBy(sort: RosterSort) {
    this.query.update((q) => ({ ...q, sort, descending: q.sort === sort ? !q.descending : false }));
  }

  protected ariaSort(sort: RosterSort): 'ascending' | 'descending' | 'none' {
    const q = this.query();
    return q.sort !== sort ? 'none' : q.descending ? 'descending' : 'ascending';
  }

  protected setPageSize(size: string) {
    this.pageSize.set(Number(size));
    this.page.set(0);
  }

  protected role(m: RosterMemberView): string {
    return m.role ? this.i18n.translate(`roles.${m.role}`) : '—';
  }

  /** The rows the search and filter show (every page), as CSV in the person's language. */
  protected exportCsv() {
    const t = (k: string) => this.i18n.translate(`roster.${k}`);
    const zone = this.zone();
    const header = [
      t('colName'),
      t('colEmail'),
      t('colRole'),
      t('colStatus'),
      `${t('colLastAttended')} (${zone})`,
      t('colClasses'),
      t('colLmsId'),
    ];
    const rows = this.rows().map((m) => [
      m.name,
      m.email,
      this.role(m),
      this.i18n.translate(`roster.status.${m.status}`),
      m.lastAttendedAt ? this.language.time(m.lastAttendedAt, zone) : t('never'),
      m.classesAttended,
      m.subject,
    ]);
    downloadText(csvText(header, rows), `roster-${new Date().toISOString().slice(0, 10)}.csv`);
  }
}
