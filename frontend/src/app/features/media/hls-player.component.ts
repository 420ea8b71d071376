import {
  ChangeDetectionStrategy,
  Component,
  effect,
  ElementRef,
  input,
  OnDestroy,
  signal,
  viewChild,
} from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';
import type Hls from 'hls.js';

/**
 * The class's broadcast for a viewer sent to HLS: hls.js (loaded only for them) kept near the live edge
 * (two segments behind, played up to 1.5x faster to catch up, a jump when it falls five behind), with
 * retries while the broadcast is starting. Browsers that play HLS themselves (Safari) get the URL as is.
 */
@Component({
  selector: 'app-hls-player',
  imports: [TranslocoPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="hls">
      <video
        #video
        autoplay
        playsinline
        [muted]="muted()"
        data-testid="hls-video"
        [attr.aria-label]="'bigLecture.video' | transloco"
      ></video>
      @if (!playing()) {
        <p class="starting" role="status">{{ 'bigLecture.starting' | transloco }}</p>
      }
      @if (muted()) {
        <button class="btn small unmute" (click)="unmute()" data-testid="hls-unmute">
          {{ 'bigLecture.unmute' | transloco }}
        </button>
      }
    </div>
  `,
  styles: `
    .hls {
      position: relative;
      background: #111;
      border-radius: 8px;
      overflow: hidden;
      aspect-ratio: 16 / 9;
      width: 100%;
    }
    video {
      width: 100%;
      height: 100%;
      object-fit: contain;
      display: block;
    }
    .starting {
      position: absolute;
      inset: 0;
      margin: auto;
      height: 1.5em;
      text-align: center;
      color: #fff;
    }
    .unmute {
      position: absolute;
      left: 0.5rem;
      bottom: 0.5rem;
    }
  `,
})
export class HlsPlayerComponent implements OnDestroy {
  readonly url = input.required<string>();
  private readonly video = viewChild.required<ElementRef<HTMLVideoElement>>('video');
  protected readonly muted = signal(false);
  protected readonly playing = signal(false);
  private hls: Hls | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;

  constructor() {
    effect(() => void this.load(this.url()));
  }

  private async load(url: string): Promise<void> {
    const video = this.video().nativeElement;
    video.onplaying = () => this.playing.set(true);
    this.stop();
    const { default: HlsJs } = await import('hls.js');
    if (this.destroyed) return;
    if (!HlsJs.isSupported()) {
      video.src = url;
      void this.play(video);
      return;
    }
    const hls = new HlsJs({
      lowLatencyMode: true,
      liveSyncDurationCount: 2,
      liveMaxLatencyDurationCount: 5,
      maxLiveSyncPlaybackRate: 1.5,
      backBufferLength: 10,
    });
    this.hls = hls;
    hls.on(HlsJs.Events.MANIFEST_PARSED, () => void this.play(video));
    hls.on(HlsJs.Events.ERROR, (_e, data) => {
      if (!data.fatal || this.hls !== hls) return;
      if (data.type === HlsJs.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
        return;
      }
      // The broadcast is starting (no playlist yet) or the network dropped: load again shortly.
      this.retry = setTimeout(() => {
        if (this.hls !== hls) return;
        hls.loadSource(url);
        hls.startLoad();
      }, 1500);
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  /** Plays with sound when the browser lets us, else muted with a button to turn the sound on. */
  private async play(video: HTMLVideoElement): Promise<void> {
    try {
      await video.play();
    } catch {
      this.muted.set(true);
      video.muted = true;
      await video.play().catch(() => undefined);
    }
  }

  protected unmute(): void {
    const video = this.video().nativeElement;
    video.muted = false;
    this.muted.set(false);
    void video.play().catch(() => undefined);
  }

  private stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.hls?.destroy();
    this.hls = null;
  }

  ngOnDestroy(): void {
    this.destroyed = true;
    this.stop();
  }
}
