import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  OnDestroy,
  OnInit,
  signal,
  untracked,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import { TranslocoPipe } from '@jsverse/transloco';
import { ErrorNoticeComponent } from '../../core/error-notice.component';
import { LocalTimePipe } from '../../core/i18n/i18n';
import { ClassroomApi } from '../classroom/classroom-api.service';
import type { RecordingSummary } from '@contracts/recording-playback';
import { ShownError, toShownError } from '../../core/api-error';
import { RecordingsApi } from './recordings-api.service';
import { applyProgress } from './recordings-progress';
import { RecordingsWatch } from './recordings-watch.service';

/** The stages a recording goes through (their words are under recordings.stage). */
const STAGES: ReadonlySet<string> = new Set(['audio', 'board', 'composite', 'renditions', 'upload']);

/**
 * The course's recordings. Students see the ready ones; instructors see every one with its progress
 * (pushed over the socket as the job goes; polled while the socket is down), a failure with its reason and
 * Retry, and Hide/Show.
 */
@Component({
  selector: 'app-recordings',
  imports: [RouterLink, TranslocoPipe, LocalTimePipe, ErrorNoticeComponent],
  providers: [RecordingsWatch],
  template: `
    <main class="page">
      <p>
        <a routerLink="/lobby">← {{ 'common.backToLobby' | transloco }}</a>
      </p>
      <h1>{{ 'recordings.title' | transloco }}</h1>
      @if (error(); as e) {
        <app-error-notice [error]="e" testId="recordings-error" />
      }
      @if (loaded() && !recordings().length) {
        <p class="card muted" data-testid="no-recordings">
          {{ 'recordings.none' | transloco }}
        </p>
      }
      <ul class="list">
        @for (r of recordings(); track r.id) {
          <li class="card" data-testid="recording-item" [attr.data-status]="r.status">
            <div class="row">
              <div>
                @if (r.status === 'ready') {
                  <a [routerLink]="['/recordings', r.id]" data-testid="recording-link" class="title">{{ r.title }}</a>
                } @else {
                  <span class="title">{{ r.title }}</span>
                }
                <span class="muted">{{ r.startedAt | localTime: zone() }}</span>
                @if (r.durationMs) {
                  <span class="muted">· {{ minutes(r.durationMs) }}</span>
                }
                @if (r.hidden) {
                  <span class="badge" data-testid="hidden-badge">{{ 'recordings.hidden' | transloco }}</span>
                }
              </div>
              @if (teacher()) {
                <div class="actions">
                  @if (r.status === 'ready') {
                    <button class="btn secondary" data-testid="toggle-hidden" (click)="toggleHidden(r)">
                      {{ (r.hidden ? 'recordings.show' : 'recordings.hide') | transloco }}
                    </button>
                  }
                  @if (r.status === 'failed') {
                    <button class="btn" data-testid="retry" (click)="retry(r)">
                      {{ 'recordings.retry' | transloco }}
                    </button>
                  }
                </div>
              }
            </div>
            @if (r.progress; as p) {
              @if (r.status === 'queued' || r.status === 'processing') {
                <div class="progress">
                  <progress max="100" [value]="p.percent" data-testid="recording-progress"></progress>
                  <span class="muted">{{ 'recordings.stage.' + stage(p.stage) | transloco }} · {{ p.percent }} %</span>
                  @if (p.error) {
                    <span class="muted">{{
                      'recordings.tryFailed' | transloco: { n: p.attempts, error: p.error }
                    }}</span>
                  }
                </div>
              }
              @if (r.status === 'failed') {
                <p class="error" data-testid="recording-error">
                  {{ 'recordings.failed' | transloco: { n: p.attempts, error: p.error ?? '' } }}
                </p>
              }
              @if (r.status === 'empty') {
                <p class="muted">{{ 'recordings.empty' | transloco }}</p>
              }
            }
          </li>
        }
      </ul>
    </main>
  `,
  styles: `
    .page {
      max-width: 60rem;
      margin: 0 auto;
      padding: 1rem;
      display: grid;
      gap: 0.75rem;
    }
    .list {
      list-style: none;
      padding: 0;
      margin: 0;
      display: grid;
      gap: 0.5rem;
    }
    .row {
      display: flex;
      justify-content: space-between;
      gap: 1rem;
      align-items: center;
      flex-wrap: wrap;
    }
    .title {
      font-weight: 600;
      margin-right: 0.5rem;
    }
    .badge {
      margin-left: 0.5rem;
      font-size: 0.8rem;
      background: #fef3c7;
      color: #92400e;
      border-radius: 999px;
      padding: 0.1rem 0.5rem;
    }
    .progress {
      display: flex;
      gap: 0.75rem;
      align-items: center;
      margin-top: 0.5rem;
      flex-wrap: wrap;
    }
    progress {
      width: 14rem;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RecordingsComponent implements OnInit, OnDestroy {
  private readonly api = inject(RecordingsApi);
  protected readonly recordings = signal<RecordingSummary[]>([]);
  protected readonly loaded = signal(false);
  /** The course's time zone (times are shown in it); UTC until the lobby says. */
  protected readonly zone = signal('UTC');
  private readonly classroom = inject(ClassroomApi);
  protected readonly error = signal<ShownError | null>(null);
  // The API sends progress to instructors only: it tells this page whom it shows.
  protected readonly teacher = computed(() => this.recordings().some((r) => r.progress));
  private timer?: ReturnType<typeof setTimeout>;
  private stopped = false;
  private readonly watch = inject(RecordingsWatch);

  constructor() {
    // Every page follows its course's list over the socket (told when a recording is ready, hidden, shown);
    // an instructor's also its jobs' progress. Each (re)start reads the list again (changes missed meanwhile).
    this.watch.start(() => void this.refresh());
    effect(() => {
      if (this.teacher()) untracked(() => this.watch.watchProgress((u) => this.onProgress(u)));
    });
    effect(() => {
      if (this.watch.following() || this.watch.watching()) untracked(() => void this.refresh());
    });
  }

  async ngOnInit(): Promise<void> {
    void this.classroom.lobby().then(
      (l) => this.zone.set(l.course.timeZone),
      () => undefined,
    );
    await this.refresh();
  }

  ngOnDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private onProgress(u: Parameters<typeof applyProgress>[1]): void {
    const { list, reload } = applyProgress(this.recordings(), u);
    this.recordings.set(list);
    if (reload) void this.refresh();
  }

  /**
   * Reads the list; while a recording is being made, again every 2 s unless its progress is pushed; else
   * every 30 s while the socket does not follow the list, every 5 minutes while it does (a lost push).
   */
  private async refresh(): Promise<void> {
    clearTimeout(this.timer);
    try {
      this.recordings.set(await this.api.list());
      this.error.set(null);
    } catch (e) {
      this.error.set(toShownError(e));
    }
    this.loaded.set(true);
    const busy = this.recordings().some((r) => r.status === 'queued' || r.status === 'processing');
    const fast = busy && !this.watch.watching();
    const every = fast ? 2000 : this.watch.following() ? 300_000 : 30_000;
    if (!this.stopped) this.timer = setTimeout(() => void this.refresh(), every);
  }

  protected minutes(ms: number): string {
    const m = Math.floor(ms / 60000);
    const s = Math.round((ms % 60000) / 1000);
    return `${m} min ${String(s).padStart(2, '0')} s`;
  }

  protected stage(stage: string | null): string {
    return stage && STAGES.has(stage) ? stage : 'waiting';
  }

  protected async toggleHidden(r: RecordingSummary): Promise<void> {
    try {
      const updated = await this.api.setHidden(r.id, !r.hidden);
      this.recordings.update((list) => list.map((x) => (x.id === r.id ? updated : x)));
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  protected async retry(r: RecordingSummary): Promise<void> {
    try {
      const updated = await this.api.retry(r.id);
      this.recordings.update((list) => list.map((x) => (x.id === r.id ? updated : x)));
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.refresh(), 1000);
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }
}
