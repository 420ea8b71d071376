import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  ElementRef,
  input,
  OnDestroy,
  output,
  viewChild,
} from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';
import { NgIcon } from '@ng-icons/core';
import { qualityLabel } from '@media-domain/quality';
import type { Tile } from './tile-view-model';

/** One person's tile: their video (or initials), their voice, name, connection quality, speaking ring. */
@Component({
  selector: 'app-video-tile',
  imports: [NgIcon, TranslocoPipe],
  template: `
    <div
      class="tile"
      [class.speaking]="speaking()"
      [class.screen]="!!tile().screen"
      [attr.data-peer]="tile().peerId"
      [attr.data-user]="tile().userId"
      [attr.data-self]="tile().self"
      [attr.data-speaking]="speaking()"
      [attr.data-has-video]="!!video()"
      [attr.data-has-screen]="!!tile().screen"
      data-testid="video-tile"
    >
      @if (video()) {
        <video #video autoplay playsinline [muted]="true" [class.mirror]="tile().self && !tile().screen"></video>
      } @else {
        <span class="avatar">{{ initials() }}</span>
      }
      @if (!tile().self && tile().audio) {
        <audio #audio autoplay></audio>
      }
      <span class="name" data-testid="tile-name"
        >{{ tile().self ? ('media.you' | transloco: { name: name() }) : name() }}
        @if (tile().micPaused) {
          <span
            class="muted-mic"
            role="img"
            [attr.aria-label]="'room.micOff' | transloco"
            [title]="'room.micOff' | transloco"
            ><ng-icon name="lucideMicOff" aria-hidden="true"
          /></span>
        }
      </span>
      @if (tile().quality !== null) {
        <span
          class="quality"
          [class]="'quality ' + label()"
          [attr.data-quality]="tile().quality"
          [title]="'media.connection' | transloco: { quality: ('media.quality.' + label() | transloco) }"
        >
          <i></i><i></i><i></i>
        </span>
      }
    </div>
  `,
  styles: `
    :host {
      display: block;
      min-width: 0;
    }
    .tile {
      position: relative;
      aspect-ratio: 16 / 10;
      background: #1f2937;
      border-radius: 10px;
      overflow: hidden;
      display: grid;
      place-items: center;
      color: #fff;
      outline: 3px solid transparent;
      transition: outline-color 0.2s;
    }
    @media (prefers-reduced-motion: reduce) {
      .tile {
        transition: none;
      }
    }
    .muted-mic {
      display: inline-flex;
      vertical-align: middle;
      color: #fca5a5;
    }
    .tile.speaking {
      outline-color: #22c55e;
    }
    /* A tap on a tile is the tile's (pin, enlarge), never the video element's. */
    video {
      pointer-events: none;
      width: 100%;
      height: 100%;
      object-fit: cover;
      background: #000;
    }
    .tile.screen video {
      object-fit: contain;
    }
    video.mirror {
      transform: scaleX(-1);
    }
    .avatar {
      width: 3rem;
      height: 3rem;
      border-radius: 50%;
      background: #374151;
      display: grid;
      place-items: center;
      font-weight: 600;
    }
    .name {
      position: absolute;
      left: 0.4rem;
      bottom: 0.3rem;
      font-size: 0.8rem;
      background: rgba(0, 0, 0, 0.45);
      padding: 0.05rem 0.35rem;
      border-radius: 6px;
      max-width: 80%;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .quality {
      position: absolute;
      right: 0.4rem;
      bottom: 0.35rem;
      display: flex;
      gap: 2px;
      align-items: flex-end;
    }
    .quality i {
      width: 4px;
      background: #6b7280;
      border-radius: 1px;
    }
    .quality i:nth-child(1) {
      height: 5px;
    }
    .quality i:nth-child(2) {
      height: 8px;
    }
    .quality i:nth-child(3) {
      height: 11px;
    }
    .quality.good i {
      background: #22c55e;
    }
    .quality.fair i:nth-child(-n + 2) {
      background: #eab308;
    }
    .quality.poor i:nth-child(1),
    .quality.lost i:nth-child(1) {
      background: #ef4444;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class VideoTileComponent implements OnDestroy {
  readonly tile = input.required<Tile>();
  readonly name = input('');
  readonly speaking = input(false);
  /** The tile's rendered height, so the client asks for the simulcast layer that fills it. */
  readonly resized = output<number>();
  protected readonly video = computed(() => this.tile().screen ?? this.tile().camera);
  protected readonly label = computed(() => qualityLabel(this.tile().quality ?? 10));
  private readonly videoEl = viewChild<ElementRef<HTMLVideoElement>>('video');
  private readonly audioEl = viewChild<ElementRef<HTMLAudioElement>>('audio');
  private observer: ResizeObserver | null = null;

  constructor() {
    effect(() => {
      const el = this.videoEl()?.nativeElement;
      const stream = this.video();
      if (el && el.srcObject !== stream) {
        el.srcObject = stream;
        void el.play().catch(() => undefined);
      }
      if (el && !this.observer) {
        this.observer = new ResizeObserver(([entry]) => this.resized.emit(entry.contentRect.height));
        this.observer.observe(el);
      }
    });
    effect(() => {
      const el = this.audioEl()?.nativeElement;
      const stream = this.tile().audio;
      if (el && el.srcObject !== stream) {
        el.srcObject = stream;
        void el.play().catch(() => undefined);
      }
    });
  }

  protected initials() {
    return (
      this.name()
        .split(/\s+/)
        .map((w) => w[0] ?? '')
        .join('')
        .slice(0, 2)
        .toUpperCase() || '?'
    );
  }

  ngOnDestroy(): void {
    this.observer?.disconnect();
  }
}
