import { ChangeDetectionStrategy, Component, inject, input, OnInit, signal } from '@angular/core';
import { Router } from '@angular/router';
import { ShownError, toShownError } from './api-error';
import { LtiSession } from './lti-session.service';

/** Where a launch lands: trades the one-time code for a session, then opens the lobby. */
@Component({
  selector: 'app-launch',
  template: `
    <main class="page">
      @if (error(); as e) {
        <div class="card" data-testid="launch-error">
          <h1>Lectern could not open</h1>
          <p>{{ e.message }}</p>
          <p class="muted">Go back to your course and launch Lectern again. (Code: {{ e.code }})</p>
        </div>
      } @else {
        <p class="muted" data-testid="launching">Opening your classroom…</p>
      }
    </main>
  `,
  styles: `.page { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LaunchComponent implements OnInit {
  readonly code = input<string>();
  protected readonly error = signal<ShownError | null>(null);
  private readonly session = inject(LtiSession);
  private readonly router = inject(Router);

  async ngOnInit(): Promise<void> {
    const code = this.code();
    if (!code) {
      this.error.set({ code: 'LAUNCH_CODE_MISSING', message: 'This page must be opened from your course.', relaunch: true });
      return;
    }
    try {
      await this.session.exchange(code);
      await this.router.navigateByUrl('/lobby', { replaceUrl: true });
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }
}
