import { ChangeDetectionStrategy, Component, inject, OnDestroy, OnInit, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { GuestLinkInfo } from '@contracts/class-control';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { toShownError } from '../../../core/api-error';
import { LanguageService } from '../../../core/i18n/i18n';
import { LtiSession } from '../../../core/lti-session.service';
import { ClassControlApi } from './class-control-api.service';

/**
 * A guest's way in: the invite link (its token in the URL's fragment, never sent to a server log) is
 * checked, the guest gives a name, and enters the class live now with a guest session of their own.
 * Before the class starts, the page looks again every few seconds.
 */
@Component({
  selector: 'app-guest-entry',
  imports: [TranslocoPipe],
  template: `
    <main class="guest card" data-testid="guest-entry">
      @if (error(); as e) {
        <h1>{{ 'guestEntry.inviteLink' | transloco }}</h1>
        <p class="error" role="alert" data-testid="guest-error">{{ e }}</p>
      } @else if (info(); as i) {
        <h1>{{ i.classroomTitle }}</h1>
        <p class="muted">{{ 'guestEntry.invited' | transloco: { course: i.courseTitle } }}</p>
        @if (!i.live) {
          <p role="status" data-testid="guest-not-live">
            {{ 'guestEntry.notLive' | transloco }}
          </p>
        }
        <form (submit)="enter($event)">
          <label for="guest-name">{{ 'guestEntry.name' | transloco }}</label>
          <input
            id="guest-name"
            [value]="name()"
            (input)="name.set($any($event.target).value)"
            maxlength="60"
            autocomplete="name"
            required
            data-testid="guest-name"
          />
          <button class="btn" [disabled]="busy() || !i.live" data-testid="guest-enter">
            {{ 'guestEntry.join' | transloco }}
          </button>
        </form>
        @if (i.needsAdmission) {
          <p class="muted">{{ 'guestEntry.letsIn' | transloco }}</p>
        }
      } @else {
        <p>{{ 'guestEntry.checking' | transloco }}</p>
      }
    </main>
  `,
  styles: `
    .guest {
      max-width: 28rem;
      margin: 2rem auto;
    }
    form {
      display: grid;
      gap: 0.5rem;
    }
    h1 {
      font-size: 1.3rem;
      margin: 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GuestEntryComponent implements OnInit, OnDestroy {
  private readonly api = inject(ClassControlApi);
  private readonly session = inject(LtiSession);
  private readonly router = inject(Router);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  protected readonly info = signal<GuestLinkInfo | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly name = signal('');
  protected readonly busy = signal(false);
  private token = '';
  private timer?: ReturnType<typeof setInterval>;

  ngOnInit(): void {
    this.token = decodeURIComponent(location.hash.replace(/^#/, ''));
    if (!this.token) {
      this.error.set(this.i18n.translate('guestEntry.needsLink'));
      return;
    }
    void this.check();
    this.timer = setInterval(() => {
      if (this.info() && !this.info()!.live) void this.check();
    }, 5000);
  }

  ngOnDestroy(): void {
    clearInterval(this.timer);
  }

  private async check() {
    try {
      this.info.set(await this.api.linkInfo(this.token));
    } catch (e) {
      this.error.set(this.language.errorText(toShownError(e)));
      clearInterval(this.timer);
    }
  }

  protected async enter(event: Event) {
    event.preventDefault();
    this.busy.set(true);
    try {
      const entered = await this.api.enter(this.token, this.name());
      this.session.adopt(entered);
      await this.router.navigateByUrl(`/room/${entered.sessionId}`);
    } catch (e) {
      const shown = toShownError(e);
      if (shown.code === 'CLASS_NOT_LIVE') this.info.update((i) => i && { ...i, live: false });
      else if (shown.code === 'INVALID_INPUT') this.error.set(null);
      if (shown.code !== 'CLASS_NOT_LIVE' && shown.code !== 'INVALID_INPUT')
        this.error.set(this.language.errorText(shown));
      else alertName(this.language.errorText(shown));
    } finally {
      this.busy.set(false);
    }
  }
}

function alertName(message: string) {
  // Shown by the browser next to the field (and read out), without losing what was typed.
  const field = document.getElementById('guest-name') as HTMLInputElement | null;
  field?.setCustomValidity(message);
  field?.reportValidity();
  field?.addEventListener('input', () => field.setCustomValidity(''), { once: true });
}
