import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';

/** What a person waiting to be let in sees: that they wait, and a way out. Announced to screen readers. */
@Component({
  selector: 'app-waiting-screen',
  imports: [TranslocoPipe],
  template: `
    <section class="card waiting" data-testid="waiting-room" role="status" aria-live="polite">
      <h2>{{ 'control.waitingRoom' | transloco }}</h2>
      <p>{{ message() }}</p>
      <p class="muted">{{ 'control.waitingHint' | transloco }}</p>
      <button class="btn quiet" type="button" (click)="leave.emit()" data-testid="waiting-leave">
        {{ 'control.leave' | transloco }}
      </button>
    </section>
  `,
  styles: `
    .waiting {
      max-width: 30rem;
      margin: 2rem auto;
      text-align: center;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WaitingScreenComponent {
  readonly message = input.required<string>();
  readonly leave = output<void>();
}
