import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, OnInit, signal } from '@angular/core';
import { Router } from '@angular/router';
import { TranslocoPipe } from '@jsverse/transloco';
import { appError, ShownError, toShownError } from './api-error';
import { ErrorNoticeComponent } from './error-notice.component';
import { LanguageService } from './i18n/i18n';
import { LtiSession } from './lti-session.service';

/**
 * Where a launch lands: the server answered the launch POST with this app and a one-time code in the
 * page (never in the URL); trade it for a session, take the LMS's language, then open the lobby.
 */
@Component({
  selector: 'app-launch',
  imports: [TranslocoPipe, ErrorNoticeComponent],
  template: `
    <main class="page">
      @if (error(); as e) {
        <h1>{{ 'launch.failedTitle' | transloco }}</h1>
        <app-error-notice [error]="e" testId="launch-error" />
      } @else {
        <p class="muted" data-testid="launching">{{ 'launch.opening' | transloco }}</p>
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
  private readonly language = inject(LanguageService);
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
      this.error.set(appError('LAUNCH_CODE_MISSING'));
      return;
    }
    try {
      const { landing, locale } = await this.session.exchange(code);
      this.language.useLaunchLocale(locale);
      await this.router.navigateByUrl(`/${landing}`, { replaceUrl: true });
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }
}
