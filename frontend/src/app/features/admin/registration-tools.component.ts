import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import type { RegistrationInviteView } from '@contracts/api';
import { TranslocoPipe } from '@jsverse/transloco';
import { LocalTimePipe } from '../../core/i18n/i18n';
import { ShownError, toShownError } from '../../core/api-error';
import { AdminApi, ManualRegistration } from './admin-api.service';

/** The form's fields; their labels and hints are `admin.register.fields.<key>` and `admin.register.hints.<key>`. */
const FIELDS: Array<keyof Omit<ManualRegistration, 'deployments'>> = [
  'issuer',
  'clientId',
  'authUrl',
  'tokenUrl',
  'jwksUrl',
  'name',
];

/**
 * Registering an LMS from the operator's console, the two ways lti-config/README.md describes: a
 * registration invite (a one-time Dynamic Registration URL to paste into the LMS, with its expiry), or the
 * LMS's values entered by hand.
 */
@Component({
  selector: 'app-registration-tools',
  imports: [TranslocoPipe, LocalTimePipe],
  template: `
    <section class="tools" aria-labelledby="register-heading">
      <h2 id="register-heading">{{ 'admin.register.title' | transloco }}</h2>
      <div class="invite">
        <button class="btn" type="button" (click)="invite()" data-testid="make-invite">
          {{ 'admin.register.makeInvite' | transloco }}
        </button>
        @if (madeInvite(); as inv) {
          <label class="url"
            >{{ 'admin.register.pasteInto' | transloco }}
            <input readonly [value]="inv.url" (focus)="$any($event.target).select()" data-testid="invite-url" />
          </label>
          <button class="btn quiet" type="button" (click)="copy(inv.url)" data-testid="copy-invite">
            {{ (copied() ? 'admin.register.copied' : 'admin.register.copy') | transloco }}
          </button>
          <p class="muted" data-testid="invite-expiry">
            {{ 'admin.register.validUntil' | transloco: { when: (inv.expiresAt | localTime: 'UTC') } }} UTC
          </p>
        }
      </div>
      <details [open]="manualOpen()" (toggle)="manualOpen.set($any($event.target).open)">
        <summary data-testid="manual-open">{{ 'admin.register.byHand' | transloco }}</summary>
        <form (submit)="register($event)" novalidate data-testid="manual-form">
          @for (f of fields; track f) {
            <label
              >{{ 'admin.register.fields.' + f | transloco }}
              <input
                [name]="f"
                [value]="form()[f] ?? ''"
                (input)="set(f, $any($event.target).value)"
                [attr.data-testid]="'manual-' + f"
              />
              <small class="muted">{{ 'admin.register.hints.' + f | transloco }}</small>
            </label>
          }
          <label
            >{{ 'admin.register.deployments' | transloco }}
            <input
              name="deployments"
              [value]="deployments()"
              (input)="deployments.set($any($event.target).value)"
              data-testid="manual-deployments"
            />
          </label>
          <button class="btn" data-testid="manual-register">{{ 'admin.register.submit' | transloco }}</button>
          @if (registered()) {
            <p role="status" data-testid="manual-done">
              {{ 'admin.register.done' | transloco: { issuer: registered() } }}
            </p>
          }
        </form>
      </details>
      @if (error(); as e) {
        <p class="error" role="alert" data-testid="register-error">{{ e.message }}</p>
      }
    </section>
  `,
  styles: `
    .tools {
      margin: 1rem 0;
    }
    .invite {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: end;
    }
    .url {
      flex: 1 1 24rem;
      display: grid;
    }
    .url input {
      font-family: monospace;
    }
    form {
      display: grid;
      gap: 0.5rem;
      max-width: 36rem;
    }
    form label {
      display: grid;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RegistrationToolsComponent {
  private readonly api = inject(AdminApi);
  readonly token = input.required<string>();
  /** A platform was registered by hand: the list should reload. */
  readonly changed = output<void>();
  protected readonly fields = FIELDS;
  protected readonly madeInvite = signal<RegistrationInviteView | null>(null);
  protected readonly copied = signal(false);
  protected readonly manualOpen = signal(false);
  protected readonly form = signal<Partial<ManualRegistration>>({});
  protected readonly deployments = signal('');
  protected readonly registered = signal<string | null>(null);
  protected readonly error = signal<ShownError | null>(null);

  protected set(key: keyof ManualRegistration, value: string) {
    this.form.set({ ...this.form(), [key]: value.trim() });
  }

  async invite() {
    try {
      this.madeInvite.set(await this.api.createInvite(this.token()));
      this.copied.set(false);
      this.error.set(null);
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  async copy(url: string) {
    try {
      await navigator.clipboard.writeText(url);
      this.copied.set(true);
    } catch {
      // No clipboard permission (an http page, an old browser): the field stays selectable.
      this.copied.set(false);
    }
  }

  async register(event: Event) {
    event.preventDefault();
    const f = this.form();
    const body: ManualRegistration = {
      issuer: f.issuer ?? '',
      clientId: f.clientId ?? '',
      authUrl: f.authUrl ?? '',
      tokenUrl: f.tokenUrl ?? '',
      jwksUrl: f.jwksUrl ?? '',
      deployments: this.deployments()
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
      ...(f.name ? { name: f.name } : {}),
    };
    try {
      await this.api.registerPlatform(this.token(), body);
      this.registered.set(body.issuer);
      this.error.set(null);
      this.changed.emit();
    } catch (e) {
      this.registered.set(null);
      const shown = toShownError(e);
      // The server names each bad field: show them, so the admin knows which value to fix.
      const details = (e as { error?: { error?: { details?: unknown } } })?.error?.error?.details;
      this.error.set(
        Array.isArray(details) && details.length
          ? { ...shown, message: `${shown.message}: ${details.join('; ')}` }
          : shown,
      );
    }
  }
}
