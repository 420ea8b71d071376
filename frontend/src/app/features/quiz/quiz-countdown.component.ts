import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { countdownAnnouncement, formatCountdown, remainingMs } from './countdown';

/**
 * The time left of a launched quiz: large digits (role="timer", which screen readers do not read at
 * every tick), and a polite live region that says the time at milestones only.
 */
@Component({
  selector: 'app-quiz-countdown',
  imports: [TranslocoPipe],
  template: `
    <span
      class="clock"
      role="timer"
      [class.soon]="left() <= 10_000"
      [attr.aria-label]="'quizTeach.timeLeft' | transloco: { time: text() }"
      data-testid="quiz-countdown"
      >{{ text() }}</span
    >
    <span class="sr-only" aria-live="polite" aria-atomic="true" data-testid="quiz-countdown-spoken">{{
      spoken()
    }}</span>
  `,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
    }
    .clock {
      font-variant-numeric: tabular-nums;
      font-weight: 700;
      font-size: 1.6rem;
      padding: 0.1rem 0.6rem;
      border-radius: 10px;
      background: #e0e7ff;
      color: #1e3a8a;
    }
    .clock.soon {
      background: #fee2e2;
      color: #991b1b;
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuizCountdownComponent {
  readonly closesAt = input.required<string>();
  readonly offsetMs = input(0);
  private readonly now = signal(Date.now());
  protected readonly left = computed(() => remainingMs(this.closesAt(), this.now(), this.offsetMs()));
  protected readonly text = computed(() => formatCountdown(this.left()));
  protected readonly spoken = signal('');
  private lastSaid: number | null = null;
  private readonly i18n = inject(TranslocoService);

  constructor() {
    const timer = setInterval(() => this.now.set(Date.now()), 250);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
    effect(() => {
      const a = countdownAnnouncement(
        this.left(),
        untracked(() => this.lastSaid),
        (key, params) => this.i18n.translate(key, params),
      );
      if (!a) return;
      this.lastSaid = a.milestone;
      this.spoken.set(a.say);
    });
  }
}
