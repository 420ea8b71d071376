import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { liveState } from './attendance-view';
import { formatDuration, spokenDuration } from './duration';
import { LiveAttendance } from './live-attendance.service';

/** The instructor's attendance in class: a one-line count, then every student with their state now and active time. */
@Component({
  selector: 'app-attendance-live',
  imports: [TranslocoPipe],
  template: `
    <section class="attendance" data-testid="attendance-live" aria-labelledby="attendance-live-title">
      <h3 id="attendance-live-title">{{ 'lobby.attendance' | transloco }}</h3>
      <p role="status" class="summary" data-testid="attendance-summary">
        {{ live.view() ? live.summary() : ('common.loading' | transloco) }}
        @if (live.error(); as e) {
          <span class="muted">({{ e | transloco }})</span>
        }
      </p>
      @if (live.students().length) {
        <table data-testid="attendance-live-table">
          <caption class="sr-only">
            {{
              'attendance.liveCaption' | transloco
            }}
          </caption>
          <thead>
            <tr>
              <th scope="col">{{ 'grades.colStudent' | transloco }}</th>
              <th scope="col">{{ 'roster.colNow' | transloco }}</th>
              <th scope="col">{{ 'attendance.active' | transloco }}</th>
            </tr>
          </thead>
          <tbody>
            @for (s of live.students(); track s.userId) {
              <tr [attr.data-student]="s.name" [attr.data-state]="state(s)">
                <th scope="row">{{ s.name }}</th>
                <td>
                  <span class="state" [class]="'state ' + state(s)" data-testid="live-state">{{
                    'attendance.live.' + state(s) | transloco
                  }}</span>
                </td>
                <td [attr.aria-label]="spoken(s.activeMs)">{{ duration(s.activeMs) }}</td>
              </tr>
            }
          </tbody>
        </table>
      }
    </section>
  `,
  styles: `
    .attendance {
      border-top: 1px solid #e5e7eb;
      margin-top: 0.6rem;
      padding-top: 0.4rem;
    }
    h3 {
      font-size: 0.95rem;
      margin: 0 0 0.2rem;
    }
    .summary {
      margin: 0 0 0.4rem;
      font-size: 0.9rem;
    }
    table {
      border-collapse: collapse;
      width: 100%;
      font-size: 0.85rem;
    }
    th,
    td {
      text-align: left;
      padding: 0.2rem 0.3rem;
      border-bottom: 1px solid #f1f5f9;
      overflow-wrap: anywhere;
    }
    thead th {
      font-weight: 600;
      color: #475569;
    }
    tbody th {
      font-weight: 400;
    }
    .state {
      border-radius: 999px;
      padding: 0 0.45rem;
      white-space: nowrap;
    }
    .state.active {
      background: #dcfce7;
      color: #166534;
    }
    .state.inactive {
      background: #fef3c7;
      color: #92400e;
    }
    .state.left,
    .state.not-joined {
      background: #f1f5f9;
      color: #475569;
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AttendanceLiveComponent {
  protected readonly live = inject(LiveAttendance);
  protected readonly state = liveState;
  protected readonly duration = formatDuration;
  private readonly i18n = inject(TranslocoService);
  protected readonly spoken = (ms: number | null | undefined) =>
    spokenDuration(ms, (key, params) => this.i18n.translate(key, params));
}
