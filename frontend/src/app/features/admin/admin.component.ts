import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import type { AdminPlatformView } from '@contracts/api';
import { TranslocoPipe } from '@jsverse/transloco';
import { ShownError, toShownError } from '../../core/api-error';
import { ErrorNoticeComponent } from '../../core/error-notice.component';
import { LocalTimePipe } from '../../core/i18n/i18n';
import { PlatformRecordingComponent } from '../recording/platform-recording.component';
import { AdminApi } from './admin-api.service';
import { PlatformAttendanceComponent } from './platform-attendance.component';
import { RegistrationToolsComponent } from './registration-tools.component';

/**
 * The tool operator's console: registering an LMS (invite, by hand), registered LMS platforms (deployments,
 * last launch, grade passback health; disable, enable, their attendance defaults) and signing-key rotation.
 */
@Component({
  selector: 'app-admin',
  imports: [
    PlatformAttendanceComponent,
    PlatformRecordingComponent,
    RegistrationToolsComponent,
    TranslocoPipe,
    LocalTimePipe,
    ErrorNoticeComponent,
  ],
  template: `
    <main class="page">
      <section class="card">
        <h1>{{ 'admin.title' | transloco }}</h1>
        @if (!token()) {
          <form (submit)="$event.preventDefault(); signIn(tok.value)">
            <label
              >{{ 'admin.token' | transloco }} <input #tok type="password" autocomplete="off" data-testid="admin-token"
            /></label>
            <button class="btn" data-testid="admin-sign-in">{{ 'admin.open' | transloco }}</button>
          </form>
          <p class="muted">
            {{ 'admin.tokenHelp' | transloco }} <code>ADMIN_TOKEN</code>, <code>.data/secrets.json</code>
          </p>
        } @else {
          <p>
            <button class="btn quiet" (click)="rotate()" data-testid="rotate-keys">
              {{ 'admin.rotate' | transloco }}
            </button>
            @if (rotated()) {
              <span class="muted" data-testid="rotated">{{ 'admin.rotated' | transloco: { count: rotated() } }}</span>
            }
          </p>
          <app-registration-tools [token]="token() ?? ''" (changed)="load()" />
          <div class="table-wrap">
            <table data-testid="platforms">
              <thead>
                <tr>
                  <th>{{ 'admin.platform' | transloco }}</th>
                  <th>{{ 'admin.clientId' | transloco }}</th>
                  <th>{{ 'admin.deployments' | transloco }}</th>
                  <th>{{ 'admin.courses' | transloco }}</th>
                  <th>{{ 'admin.registered' | transloco }}</th>
                  <th>{{ 'admin.lastLaunch' | transloco }}</th>
                  <th>{{ 'admin.gradePassback' | transloco }}</th>
                  <th>{{ 'admin.recording' | transloco }}</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                @for (p of platforms(); track p.id) {
                  <tr [class.off]="!p.active">
                    <td>
                      {{ p.name }}<br /><small class="muted">{{ p.issuer }}</small>
                    </td>
                    <td>
                      <code>{{ p.clientId }}</code>
                    </td>
                    <td data-testid="deployments">
                      {{ p.deployments.join(', ') || '—' }}
                      @if (p.acceptNewDeployments) {
                        <br /><small class="muted">{{ 'admin.anyDeployment' | transloco }}</small>
                      }
                    </td>
                    <td>{{ p.courses }}</td>
                    <td>{{ 'admin.source.' + p.source | transloco }} · {{ p.createdAt | localTime: 'UTC' }} UTC</td>
                    <td data-testid="last-launch">
                      @if (p.lastLaunchAt) {
                        {{ p.lastLaunchAt | localTime: 'UTC' }} UTC
                      } @else {
                        {{ 'admin.never' | transloco }}
                      }
                    </td>
                    <td data-testid="grade-health">
                      @if (!p.grades.pending && !p.grades.failed) {
                        <span class="muted">{{ 'admin.allSent' | transloco }}</span>
                      } @else {
                        {{ 'admin.gradesState' | transloco: { pending: p.grades.pending, failed: p.grades.failed } }}
                        @if (p.grades.lastFailure; as f) {
                          <br /><small class="error-text">{{ f.reason }} ({{ f.at | localTime: 'UTC' }} UTC)</small>
                        }
                      }
                    </td>
                    <td><app-platform-recording [token]="token() ?? ''" [platformId]="p.id" /></td>
                    <td>
                      @if (p.active) {
                        <button class="btn quiet" (click)="setActive(p.id, false)">
                          {{ 'admin.disable' | transloco }}
                        </button>
                      } @else {
                        <button class="btn" (click)="setActive(p.id, true)">{{ 'admin.enable' | transloco }}</button>
                      }
                      <button
                        class="btn quiet"
                        (click)="toggleAttendance(p.id)"
                        [attr.aria-expanded]="attendanceOf() === p.id"
                        [attr.data-testid]="'attendance-defaults-' + p.id"
                      >
                        {{ 'admin.attendanceDefaults' | transloco }}
                      </button>
                    </td>
                  </tr>
                  @if (attendanceOf() === p.id) {
                    <tr>
                      <td colspan="10">
                        <app-platform-attendance [token]="token() ?? ''" [platformId]="p.id" />
                      </td>
                    </tr>
                  }
                }
              </tbody>
            </table>
          </div>
        }
        @if (error(); as e) {
          <app-error-notice [error]="e" testId="admin-error" />
        }
      </section>
    </main>
  `,
  styles: `
    .page {
      max-width: 64rem;
      margin: 0 auto;
      padding: 1rem;
    }
    .table-wrap {
      overflow-x: auto;
    }
    table {
      border-collapse: collapse;
      width: 100%;
    }
    th,
    td {
      text-align: left;
      padding: 0.4rem 0.5rem;
      border-bottom: 1px solid #e5e7eb;
      vertical-align: top;
    }
    tr.off td {
      color: var(--muted);
    }
    .error-text {
      color: #b91c1c;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminComponent {
  private readonly api = inject(AdminApi);
  protected readonly token = signal<string | null>(null);
  protected readonly platforms = signal<AdminPlatformView[]>([]);
  protected readonly error = signal<ShownError | null>(null);
  protected readonly rotated = signal(0);
  /** The platform whose attendance defaults are open (one at a time). */
  protected readonly attendanceOf = signal<string | null>(null);

  protected toggleAttendance(id: string) {
    this.attendanceOf.set(this.attendanceOf() === id ? null : id);
  }

  async signIn(token: string) {
    this.token.set(token);
    if (!(await this.load())) this.token.set(null);
  }

  async load(): Promise<boolean> {
    try {
      this.platforms.set(await this.api.platforms(this.token() ?? ''));
      this.error.set(null);
      return true;
    } catch (e) {
      this.error.set(toShownError(e));
      return false;
    }
  }

  async setActive(id: string, active: boolean) {
    try {
      await this.api.setPlatformActive(this.token() ?? '', id, active);
      await this.load();
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }

  async rotate() {
    try {
      this.rotated.set(await this.api.rotateKeys(this.token() ?? ''));
    } catch (e) {
      this.error.set(toShownError(e));
    }
  }
}
