import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, OnInit, signal } from '@angular/core';
import { Router } from '@angular/router';
import { ShownError, toShownError } from './api-error';
import { LtiSession } from './lti-session.service';

/**
 * Where a launch lands: the server answered the launch POST with this app and a one-time code in the
 * page (never in the URL); trade it for a session, then open the lobby.
 */
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
  styles: `
    .page {
      max-width: 40rem;
      margin: 2rem auto;
      padding: 0 1rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LaunchComponent implements OnInit {
  protected readonly error = signal<ShownError | null>(null);
  private readonly session = inject(LtiSession);
  private readonly router = inject(Router);
  private readonly document = inject(DOCUMENT);

  private launchCode(): string | null {
    const el = this.document.getElementById('lectern-launch');
    if (!el?.textContent) return null;
    el.remove(); // used once
    try {
      const code = (JSON.parse(el.textContent) as { code?: unknown }).code;
      return typeof code === 'string' ? code : null;
    } catch {
      return null;
    }
  }

  async ngOnInit(): Promise<void> {
    const code = this.launchCode();
    if (!code) {
      this.error.set({
        code: 'LAUNCH_CODE_MISSING',
        message: 'This page must be opened from your course.',
        relaunch: true,
      });
      return;
    }
    try {
      const landing = await this.session.exchange(code);
      await this.router.navigateByUrl(`/${landing}`, { replaceUrl: true });
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }
}
