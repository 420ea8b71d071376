import {
  ChangeDetectionStrategy,
  Component,
  computed,
  ElementRef,
  HostListener,
  inject,
  input,
  OnDestroy,
  OnInit,
  signal,
  viewChild,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { ErrorNoticeComponent } from '../../core/error-notice.component';
import type { RecordingPlayback } from '@contracts/recording-playback';
import { paintPage } from '@recording-domain/board-paint';
import { BoardPlayback, BoardTimeline, isPaused } from '@recording-domain/board-timeline';
import Hls from 'hls.js';
import { ShownError, toShownError } from '../../core/api-error';
import { chapterAt, chapterTarget, playerAction, SPEEDS } from './player-keys';
import { RecordingsApi } from './recordings-api.service';

const SAVE_EVERY_MS = 5000;

/**
 * One recording: the video through hls.js (signed HLS links), its chapters, speeds 0.75x-2x, keyboard
 * shortcuts, resume where this person stopped, and the board beside the video drawn as vectors from the
 * op log at the video's time (sharp at any size: painted at the screen's pixel ratio).
 */
@Component({
  selector: 'app-recording-player',
  imports: [RouterLink, TranslocoPipe, ErrorNoticeComponent],
  template: `
    <main class="page">
      <p>
        <a routerLink="/recordings">← {{ 'recordings.back' | transloco }}</a>
      </p>
      @if (error(); as e) {
        <app-error-notice [error]="e" testId="player-error" />
      }
      @if (rec(); as r) {
        <h1>{{ r.title }}</h1>
        <div class="stage" [class.with-board]="showBoard()">
          <video
            #video
            controls
            playsinline
            data-testid="recording-video"
            (loadedmetadata)="onLoaded()"
            (timeupdate)="onTime()"
            (pause)="savePosition()"
            (ratechange)="rate.set(videoEl()?.playbackRate ?? 1)"
          ></video>
          @if (showBoard()) {
            <div class="board" data-testid="board-pane">
              <canvas #board [attr.aria-label]="'recordings.boardNow' | transloco"></canvas>
            </div>
          }
        </div>
        <div class="controls">
          <label
            >{{ 'recordings.speed' | transloco }}
            <select data-testid="speed" [value]="rate()" (change)="setRate($any($event.target).value)">
              @for (s of speeds; track s) {
                <option [value]="s" [selected]="s === rate()">{{ s }}×</option>
              }
            </select>
          </label>
          <label
            ><input type="checkbox" [checked]="showBoard()" (change)="toggleBoard()" data-testid="show-board" />
            {{ 'recordings.boardBeside' | transloco }}</label
          >
          @if (resumedAt(); as at) {
            <span class="muted" data-testid="resumed">{{
              'recordings.resumedAt' | transloco: { time: clock(at) }
            }}</span>
            <button class="btn secondary" (click)="seek(0)">{{ 'recordings.startOver' | transloco }}</button>
          }
          <span class="muted keys">{{ 'recordings.keys' | transloco }}</span>
        </div>
        <section class="card">
          <h2 class="h2">{{ 'recordings.chapters' | transloco }}</h2>
          <ol class="chapters" data-testid="chapters">
            @for (c of r.chapters; track c.start; let i = $index) {
              <li [class.current]="i === currentChapter()">
                <button class="link" data-testid="chapter" (click)="seek(c.start)">
                  <span class="time">{{ clock(c.start) }}</span> {{ c.title }}
                </button>
              </li>
            }
          </ol>
        </section>
      } @else if (!error()) {
        <p class="muted">{{ 'recordings.loading' | transloco }}</p>
      }
    </main>
  `,
  styles: `
    .page {
      max-width: 90rem;
      margin: 0 auto;
      padding: 1rem;
      display: grid;
      gap: 0.75rem;
    }
    .stage {
      display: grid;
      gap: 0.75rem;
      grid-template-columns: 1fr;
    }
    .stage.with-board {
      grid-template-columns: 3fr 2fr;
    }
    @media (max-width: 50rem) {
      .stage.with-board {
        grid-template-columns: 1fr;
      }
    }
    video {
      width: 100%;
      background: #000;
      border-radius: 8px;
      aspect-ratio: 16 / 9;
    }
    .board {
      background: #202124;
      border-radius: 8px;
      display: flex;
      align-items: center;
      padding: 0.5rem;
    }
    canvas {
      width: 100%;
      aspect-ratio: 16 / 10;
      background: #fff;
      border-radius: 4px;
    }
    .controls {
      display: flex;
      gap: 1rem;
      align-items: center;
      flex-wrap: wrap;
    }
    .chapters {
      margin: 0;
      padding-left: 1.5rem;
      display: grid;
      gap: 0.25rem;
    }
    .chapters li.current {
      font-weight: 600;
    }
    .link {
      background: none;
      border: 0;
      padding: 0;
      color: #1d4ed8;
      cursor: pointer;
      font: inherit;
      text-align: left;
    }
    .time {
      font-variant-numeric: tabular-nums;
      color: #4b5563;
      margin-right: 0.5rem;
    }
    .keys {
      font-size: 0.8rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RecordingPlayerComponent implements OnInit, OnDestroy {
  readonly id = input.required<string>();
  private readonly api = inject(RecordingsApi);
  private readonly i18n = inject(TranslocoService);
  protected readonly rec = signal<RecordingPlayback | null>(null);
  protected readonly error = signal<ShownError | null>(null);
  protected readonly rate = signal(1);
  protected readonly time = signal(0);
  protected readonly showBoard = signal(true);
  protected readonly resumedAt = signal<number | null>(null);
  protected readonly speeds = SPEEDS;
  protected readonly currentChapter = computed(() =>
    chapterAt(
      (this.rec()?.chapters ?? []).map((c) => c.start),
      this.time(),
    ),
  );
  protected readonly videoEl = computed(() => this.videoRef()?.nativeElement ?? null);
  private readonly videoRef = viewChild<ElementRef<HTMLVideoElement>>('video');
  private readonly boardRef = viewChild<ElementRef<HTMLCanvasElement>>('board');
  private hls?: Hls;
  private timeline?: BoardTimeline;
  private playback?: BoardPlayback;
  private painted = { page: '', width: 0, paused: false };
  private frame = 0;
  private lastSaved = 0;
  private savedAt = 0;

  async ngOnInit(): Promise<void> {
    try {
      const rec = await this.api.playback(this.id());
      this.rec.set(rec);
      setTimeout(() => this.attach(rec));
      this.api
        .board(rec.boardUrl)
        .then((tl) => {
          this.timeline = tl;
          this.playback = new BoardPlayback(tl);
          this.paintBoard(true);
        })
        .catch(() => this.showBoard.set(false));
    } catch (e) {
      this.error.set(toShownError(e));
    }
    const loop = () => {
      this.paintBoard(false);
      this.frame = requestAnimationFrame(loop);
    };
    this.frame = requestAnimationFrame(loop);
  }

  ngOnDestroy(): void {
    cancelAnimationFrame(this.frame);
    this.savePosition();
    this.hls?.destroy();
  }

  private attach(rec: RecordingPlayback): void {
    const video = this.videoEl();
    if (!video) return void setTimeout(() => this.attach(rec));
    if (Hls.isSupported()) {
      this.hls = new Hls({ startPosition: rec.positionMs / 1000, xhrSetup: this.api.authorizeXhr });
      this.hls.loadSource(rec.hlsUrl);
      this.hls.attachMedia(video);
      this.hls.on(Hls.Events.ERROR, (_e, data) => {
        if (data.fatal)
          this.error.set({
            code: 'PLAYBACK',
            message: this.i18n.translate('recordings.cannotPlay', { details: data.details }),
            relaunch: false,
          });
      });
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) video.src = rec.hlsUrl;
    else video.src = rec.mp4Url;
  }

  protected onLoaded(): void {
    const rec = this.rec();
    const video = this.videoEl();
    if (!rec || !video) return;
    const at = rec.positionMs / 1000;
    if (at > 5 && at < video.duration - 5) {
      if (Math.abs(video.currentTime - at) > 1) video.currentTime = at;
      this.resumedAt.set(at);
    }
  }

  protected onTime(): void {
    const video = this.videoEl();
    if (!video) return;
    this.time.set(video.currentTime);
    if (!video.paused && Date.now() - this.savedAt > SAVE_EVERY_MS) this.savePosition();
  }

  /** Where this person is (every few seconds while playing, on pause, on leaving). */
  savePosition(): void {
    const rec = this.rec();
    const video = this.videoEl();
    if (!rec || !video) return;
    const ms = Math.floor(video.currentTime * 1000);
    if (Math.abs(ms - this.lastSaved) < 1000) return;
    this.lastSaved = ms;
    this.savedAt = Date.now();
    void this.api.savePosition(rec.id, ms).catch(() => undefined);
  }

  protected seek(t: number): void {
    const video = this.videoEl();
    if (!video) return;
    video.currentTime = Math.max(0, Math.min(t, Number.isFinite(video.duration) ? video.duration : t));
    this.time.set(video.currentTime);
  }

  protected setRate(value: string | number): void {
    const r = Number(value);
    const video = this.videoEl();
    if (!video || !SPEEDS.includes(r as (typeof SPEEDS)[number])) return;
    video.playbackRate = r;
    this.rate.set(r);
  }

  protected toggleBoard(): void {
    this.showBoard.update((v) => !v);
    this.painted.width = 0;
  }

  @HostListener('document:keydown', ['$event'])
  protected onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    if (target && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName) && e.key !== ' ') return;
    if (target?.tagName === 'BUTTON' && e.key === ' ') return;
    const video = this.videoEl();
    if (!video || e.ctrlKey || e.metaKey || e.altKey) return;
    const action = playerAction(e.key, video.playbackRate, e.shiftKey);
    if (!action) return;
    e.preventDefault();
    switch (action.kind) {
      case 'toggle':
        if (video.paused) void video.play();
        else video.pause();
        return;
      case 'seek-by':
        return this.seek(video.currentTime + action.seconds);
      case 'seek-to-fraction':
        return this.seek((Number.isFinite(video.duration) ? video.duration : 0) * action.fraction);
      case 'speed':
        return this.setRate(action.rate);
      case 'chapter': {
        const starts = (this.rec()?.chapters ?? []).map((c) => c.start);
        return this.seek(chapterTarget(starts, video.currentTime, action.step));
      }
    }
  }

  /** Paints the board at the video's time when it changed (or the pane's size, or a pause began or ended). */
  private paintBoard(force: boolean): void {
    const canvas = this.boardRef()?.nativeElement;
    const video = this.videoEl();
    if (!canvas || !this.playback || !this.timeline) return;
    const t = video?.currentTime ?? 0;
    const { board, page, changed } = this.playback.at(t);
    const paused = isPaused(this.timeline, t);
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    if (
      !force &&
      !changed &&
      page === this.painted.page &&
      width === this.painted.width &&
      paused === this.painted.paused
    )
      return;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(((width * 10) / 16) * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const p = paused ? undefined : board.pages.get(page);
    paintPage(ctx, p ? p.order.map((id) => p.elements.get(id)!).filter(Boolean) : [], width, dpr);
    if (paused) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = '#6b7280';
      ctx.font = '16px system-ui, sans-serif';
      ctx.fillText(this.i18n.translate('recordings.paused'), 16, 28);
    }
    this.painted = { page, width, paused };
  }

  protected clock(s: number): string {
    const t = Math.floor(s);
    const h = Math.floor(t / 3600);
    const m = Math.floor((t % 3600) / 60);
    const sec = String(t % 60).padStart(2, '0');
    return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
  }
}
