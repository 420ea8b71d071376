import { ChangeDetectionStrategy, Component, inject, OnInit, signal } from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';
import { LocalTimePipe } from '../../../core/i18n/i18n';
import type { GuestLinkView } from '@contracts/class-control';
import { toShownError } from '../../../core/api-error';
import { ClassControlApi } from './class-control-api.service';

/** Invite links for guests with no LMS account: made here (expiry, one person or many, admission), copied, revoked. */
@Component({
  selector: 'app-guest-links',
  imports: [TranslocoPipe, LocalTimePipe],
  template: `
    <div class="guests" data-testid="guest-links">
      <h4>{{ 'guests.title' | transloco }}</h4>
      <form (submit)="create($event)">
        <label
          >{{ 'guests.label' | transloco }} <input name="label" maxlength="80" data-testid="guest-link-label" #label
        /></label>
        <label
          >{{ 'guests.validFor' | transloco }}
          <select name="expires" #expires data-testid="guest-link-expiry">
            <option value="120">{{ 'guests.twoHours' | transloco }}</option>
            <option value="1440">{{ 'guests.oneDay' | transloco }}</option>
            <option value="10080">{{ 'guests.oneWeek' | transloco }}</option>
          </select>
        </label>
        <label
          ><input type="checkbox" #single data-testid="guest-link-single" /> {{ 'guests.onePerson' | transloco }}</label
        >
        <label
          ><input type="checkbox" #admission checked data-testid="guest-link-admission" />
          {{ 'guests.iLetThemIn' | transloco }}</label
        >
        <button
          class="btn small"
          type="button"
          data-testid="guest-link-create"
          (click)="make(label.value, +expires.value, single.checked, admission.checked)"
        >
          {{ 'guests.make' | transloco }}
        </button>
      </form>
      @if (made(); as url) {
        <p class="made">
          <input readonly [value]="url" data-testid="guest-link-url" [attr.aria-label]="'guests.newLink' | transloco" />
          <button class="btn quiet small" type="button" (click)="copy(url)">
            {{ 'guests.copy' | transloco }}
          </button>
        </p>
      }
      @if (error(); as e) {
        <p class="error" role="alert">{{ e }}</p>
      }
      <ul>
        @for (l of links(); track l.id) {
          <li [attr.data-link]="l.id">
            <span
              >{{ l.label || ('guests.link' | transloco) }}
              <small class="muted">{{ 'guests.until' | transloco: { when: l.expiresAt | localTime } }}</small>
              @if (l.revokedAt) {
                <small class="muted"> · {{ 'guests.revoked' | transloco }}</small>
              }
              <small class="muted"> · {{ 'guests.came' | transloco: { count: l.guests } }}</small></span
            >
            @if (!l.revokedAt) {
              <button class="btn quiet small" type="button" (click)="revoke(l.id)" data-testid="guest-link-revoke">
                {{ 'guests.revoke' | transloco }}
              </button>
            }
          </li>
        }
      </ul>
    </div>
  `,
  styles: `
    form {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem 0.8rem;
      align-items: center;
    }
    .made input {
      width: 100%;
      font-size: 0.8rem;
    }
    ul {
      list-style: none;
      padding: 0;
    }
    li {
      display: flex;
      justify-content: space-between;
      gap: 0.5rem;
    }
    h4 {
      margin: 0.6rem 0 0.3rem;
    }
    .small {
      padding: 0.2rem 0.5rem;
      font-size: 0.8rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GuestLinksComponent implements OnInit {
  private readonly api = inject(ClassControlApi);
  protected readonly links = signal<GuestLinkView[]>([]);
  protected readonly made = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);

  ngOnInit(): void {
    void this.load();
  }

  private async load() {
    try {
      this.links.set(await this.api.links());
    } catch (e) {
      this.error.set(toShownError(e).message);
    }
  }

  protected create(event: Event) {
    event.preventDefault();
  }

  protected async make(label: string, expiresInMinutes: number, singleUse: boolean, needsAdmission: boolean) {
    this.error.set(null);
    try {
      const created = await this.api.createLink({
        ...(label.trim() ? { label: label.trim() } : {}),
        expiresInMinutes,
        singleUse,
        needsAdmission,
      });
      this.made.set(created.url);
      await this.load();
    } catch (e) {
      this.error.set(toShownError(e).message);
    }
  }

  protected async revoke(id: string) {
    try {
      await this.api.revoke(id);
      await this.load();
    } catch (e) {
      this.error.set(toShownError(e).message);
    }
  }

  protected copy(url: string) {
    void navigator.clipboard?.writeText(url).catch(() => undefined);
  }
}
