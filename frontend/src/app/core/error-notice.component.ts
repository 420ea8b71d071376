import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';
import { errorKey, type ShownError } from './api-error';
import { LtiSession } from './lti-session.service';

/**
 * An error in words that say what to do: the code translated (the server's English only when the code is
 * not one the app knows), and, when the session is gone, "open Lectern again from your course" with a
 * button back to the course when the LMS told us where that is.
 */
@Component({
  selector: 'app-error-notice',
  imports: [TranslocoPipe],
  template: `
    <div class="card error-notice" role="alert" [attr.data-testid]="testId()" [attr.data-code]="error().code">
      <p class="error">
        @if (key(); as k) {
          {{ k | transloco }}
        } @else {
          {{ error().message }}
        }
      </p>
      @if (error().relaunch) {
        <p data-testid="relaunch-hint">{{ 'errors.relaunchHint' | transloco }}</p>
        @if (returnUrl(); as url) {
          <a class="btn" [href]="url" target="_top" rel="noopener" data-testid="relaunch-button">{{
            'errors.backToCourse' | transloco
          }}</a>
        }
      }
      <p class="muted small">{{ 'errors.code' | transloco: { code: error().code } }}</p>
    </div>
  `,
  styles: `
    .error-notice {
      margin-top: 1rem;
    }
    .small {
      font-size: 0.8rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ErrorNoticeComponent {
  readonly error = input.required<ShownError>();
  readonly testId = input('error');
  private readonly session = inject(LtiSession);
  protected readonly key = computed(() => errorKey(this.error()));
  /**
   * Where "back to your course" goes: the LMS's return URL from the launch; when that is lost too (a framed
   * page whose browser keeps no storage for it, then reloaded), the address of the LMS page around the
   * frame (the top of location.ancestorOrigins, which Chromium and Safari give whatever the referrer
   * policy; else document.referrer), from where the course is a click away. Null: no button.
   */
  protected readonly returnUrl = computed(() => this.session.returnUrl() ?? lmsAddress());
}

function lmsAddress(): string | null {
  try {
    if (window.top === window.self) return null;
    const ancestors = location.ancestorOrigins;
    const candidate = ancestors?.length ? `${ancestors[ancestors.length - 1]}/` : document.referrer;
    if (!candidate) return null;
    const url = new URL(candidate);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin !== location.origin ? url.href : null;
  } catch {
    return null;
  }
}
