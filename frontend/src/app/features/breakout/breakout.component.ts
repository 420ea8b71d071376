import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  inject,
  input,
  model,
  signal,
} from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';
import { BreakoutEvents } from '@contracts/breakout';
import { RoomSocket } from '../../core/room-socket.service';
import { BreakoutLive } from './breakout-live.service';
import { BreakoutPanelComponent } from './breakout-panel.component';
import { timeLeft } from './breakout-view';

/**
 * Breakout rooms in the live room: a banner with the room's name, the time left, the instructor's note
 * and "Ask for help" (students), or where the instructor is and a way back; and the instructor's panel.
 * Makes the room's one BreakoutLive (after the socket exists).
 */
@Component({
  selector: 'app-breakout',
  imports: [TranslocoPipe, BreakoutPanelComponent],
  providers: [BreakoutLive],
  template: `
    @let s = live.state();
    @let here = live.here();
    @if (s.active || here || live.note()) {
      <div class="banner" role="status" aria-live="polite" data-testid="breakout-banner" [class.warn]="warned()">
        @if (here) {
          <strong data-testid="breakout-room-name">{{ 'breakout.youAreIn' | transloco: { room: here.name } }}</strong>
        } @else if (s.active) {
          <strong>{{ (canTeach() ? 'breakout.openTeacher' : 'breakout.mainRoom') | transloco }}</strong>
        }
        @if (left(); as l) {
          <span class="time" data-testid="breakout-time-left">{{ 'breakout.timeLeft' | transloco: { time: l } }}</span>
        }
        @if (warned()) {
          <span class="warning" data-testid="breakout-warning">{{ 'breakout.oneMinute' | transloco }}</span>
        }
        @if (live.visitor(); as v) {
          @if (v.arrived && here && v.roomId === here.id && v.userId !== room.me()?.userId) {
            <span class="visitor" data-testid="breakout-visitor">{{
              'breakout.visitorArrived' | transloco: { name: v.name }
            }}</span>
          }
        }
        @if (!canTeach() && here) {
          <button class="btn small" type="button" data-testid="breakout-help" [disabled]="asked()" (click)="askHelp()">
            {{ (asked() ? 'breakout.helpAsked' : 'breakout.askHelp') | transloco }}
          </button>
        }
        @if (canTeach() && here) {
          <button class="btn small quiet" type="button" data-testid="breakout-back" (click)="live.go(null)">
            {{ 'breakout.backToMain' | transloco }}
          </button>
        }
        @if (live.note(); as n) {
          <p class="note" data-testid="breakout-note">
            <span>{{ 'breakout.noteFrom' | transloco: { name: n.from, text: n.text } }}</span>
            <button
              class="link"
              type="button"
              (click)="live.note.set(null)"
              [attr.aria-label]="'room.dismiss' | transloco"
            >
              ✕
            </button>
          </p>
        }
      </div>
    }
    @if (canTeach() && open()) {
      <app-breakout-panel (closed)="open.set(false)" />
    }
  `,
  styles: `
    :host {
      display: contents;
    }
    .banner {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.4rem 0.8rem;
      padding: 0.5rem 0.8rem;
      border-radius: 10px;
      background: #ecfeff;
      border: 1px solid #a5f3fc;
      color: #164e63;
    }
    .banner.warn {
      background: #fff7ed;
      border-color: #fdba74;
      color: #7c2d12;
    }
    .time {
      font-variant-numeric: tabular-nums;
    }
    .warning {
      font-weight: 600;
    }
    .note {
      flex-basis: 100%;
      margin: 0;
      display: flex;
      justify-content: space-between;
      gap: 0.5rem;
      font-weight: 500;
    }
    .btn {
      min-height: 44px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BreakoutComponent {
  readonly canTeach = input.required<boolean>();
  /** The instructor's panel, opened from the room's bar. */
  readonly open = model(false);
  protected readonly live = inject(BreakoutLive);
  protected readonly room = inject(RoomSocket);
  private readonly now = signal(Date.now());
  protected readonly asked = signal(false);
  protected readonly left = computed(() => timeLeft(this.live.state().endsAt, this.now()));
  protected readonly warned = computed(() => {
    const endsAt = this.live.state().endsAt;
    return !!endsAt && (this.live.warnedFor() === endsAt || Date.parse(endsAt) - this.now() <= 60_000);
  });

  constructor() {
    // A new room (or back in the main room): help can be asked again there.
    effect(() => {
      this.room.breakoutRoom();
      this.asked.set(false);
    });
    const tick = setInterval(() => this.now.set(Date.now()), 1000);
    inject(DestroyRef).onDestroy(() => clearInterval(tick));
  }

  protected async askHelp(): Promise<void> {
    if (await this.live.act(BreakoutEvents.help, {})) this.asked.set(true);
  }
}
