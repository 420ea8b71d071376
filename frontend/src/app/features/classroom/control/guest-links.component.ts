import { ChangeDetectionStrategy, Component, inject, OnInit, signal } from '@angular/core';
import { DatePipe } from '@angular/common';
import type { GuestLinkView } from '@contracts/class-control';
import { toShownError } from '../../../core/api-error';
import { ClassControlApi } from './class-control-api.service';

/** Invite links for guests with no LMS account: made here (expiry, one person or many, admission), copied, revoked. */
@Component({
  selector: 'app-guest-links',
  imports: [DatePipe],
  template: `
    <div class="guests" data-testid="guest-links">
      <h4>Guest links</h4>
      <form (submit)="create($event)">
        <label>Label <input name="label" maxlength="80" data-testid="guest-link-label" #label /></label>
        <label
          >Valid for
          <select name="expires" #expires data-testid="guest-link-expiry">
            <option value="120">2 hours</option>
            <option value="1440">1 day</option>
            <option value="10080">1 week</option>
          </select>
        </label>
        <label><input type="checkbox" #single data-testid="guest-link-single" /> For one person</label>
        <label><input type="checkbox" #admission checked data-testid="guest-link-admission" /> I let them in</label>
        <button
          class="btn small"
          type="button"
          data-testid="guest-link-create"
          (click)="make(label.value, +expires.value, single.checked, admission.checked)"
        >
          Make a link
        </button>
      </form>
      @if (made(); as url) {
        <p class="made">
          <input readonly [value]="url" data-testid="guest-link-url" aria-label="The new guest link" />
          <button class="btn quiet small" type="button" (click)="copy(url)">Copy</button>
        </p>
      }
      @if (error(); as e) {
        <p class="error" role="alert">{{ e }}</p>
      }
      <ul>
        @for (l of links(); track l.id) {
          <li [attr.data-link]="l.id">
            <span
              >{{ l.label || 'Guest link' }} <small class="muted">until {{ l.expiresAt | date: 'short' }}</small>
              @if (l.revokedAt) {
                <small class="muted"> · revoked</small>
              }
              <small class="muted"> · {{ l.guests }} came</small></span
            >
            @if (!l.revokedAt) {
              <button class="btn quiet small" type="button" (click)="revoke(l.id)" data-testid="guest-link-revoke">
                Revoke
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
