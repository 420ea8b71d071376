import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';
import { RecordingLive } from './recording-live.service';

/**
 * The room's recording indicator (a red dot while recording, grey while paused), the banner that says
 * so on joining, and the instructor's pause/resume. Provided with the room's socket by the room.
 */
@Component({
  selector: 'app-recording-indicator',
  providers: [RecordingLive],
  imports: [TranslocoPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (live.view(); as v) {
      @if (v.indicator) {
        <span
          class="rec"
          [class.paused]="v.tone === 'paused'"
          data-testid="recording-indicator"
          [attr.data-recording]="live.state()?.status"
          role="status"
        >
          <span class="dot" aria-hidden="true"></span>{{ v.indicator }}
        </span>
        @if (canTeach()) {
          <button
            class="btn quiet"
            data-testid="recording-pause"
            [disabled]="live.busy()"
            (click)="live.setPaused(live.state()?.status !== 'paused')"
          >
            {{ (live.state()?.status === 'paused' ? 'recordings.live.resume' : 'recordings.live.pause') | transloco }}
          </button>
        }
      }
      @if (live.bannerOpen() && v.banner) {
        <div class="rec-banner" data-testid="recording-banner" role="alert">
          <span>{{ v.banner }}</span>
          <button
            class="btn quiet"
            (click)="live.bannerOpen.set(false)"
            [attr.aria-label]="'recordings.live.dismiss' | transloco"
          >
            {{ 'recordings.live.ok' | transloco }}
          </button>
        </div>
      }
    }
  `,
  styles: `
    :host {
      display: contents;
    }
    .rec {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
      font-size: 0.85rem;
      font-weight: 600;
      color: #b42318;
    }
    .rec.paused {
      color: #52606d;
    }
    .dot {
      width: 0.6rem;
      height: 0.6rem;
      border-radius: 50%;
      background: currentColor;
    }
    .rec:not(.paused) .dot {
      animation: pulse 1.6s ease-in-out infinite;
    }
    @keyframes pulse {
      50% {
        opacity: 0.35;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .rec:not(.paused) .dot {
        animation: none;
      }
    }
    .rec-banner {
      position: fixed;
      top: 3.5rem;
      left: 50%;
      transform: translateX(-50%);
      z-index: 20;
      /* As wide as it may be (a left of 50% alone would halve it on a phone: a tall, narrow column). */
      width: max-content;
      max-width: min(40rem, 92vw);
      display: flex;
      gap: 0.75rem;
      align-items: center;
      padding: 0.6rem 0.9rem;
      border-radius: 8px;
      background: #fff4f2;
      color: #1f2933;
      border: 1px solid #f3b1a8;
      box-shadow: 0 2px 8px rgba(0, 0, 0, 0.12);
      font-size: 0.9rem;
      /* A notice over the room, not a wall: taps and clicks on its text reach the controls beneath;
         only its OK button takes them. */
      pointer-events: none;
    }
    .rec-banner button {
      pointer-events: auto;
    }
  `,
})
export class RecordingIndicatorComponent {
  readonly canTeach = input(false);
  protected readonly live = inject(RecordingLive);
}
