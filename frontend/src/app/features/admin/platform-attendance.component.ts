import { ChangeDetectionStrategy, Component, inject, input, OnInit, signal } from '@angular/core';
import type { PlatformAttendanceView } from '@contracts/attendance';
import { toShownError } from '../../core/api-error';
import { zoneChoices, zoneInput } from '../attendance/course-settings';
import { settingsBody, type SettingsForm } from '../attendance/settings-form';
import { AdminApi } from './admin-api.service';

const text = (n: number | null) => (n === null ? '' : String(n));

/**
 * One platform's attendance defaults, in the operator's console: the thresholds its classrooms use unless
 * they set their own, and the time zone of its courses that set none. Checked here before sending (the
 * classroom form's own rules), and again by the server.
 */
@Component({
  selector: 'app-platform-attendance',
  template: `
    <form class="defaults" (submit)="save($event)" [attr.data-platform]="platformId()" novalidate>
      @if (form(); as f) {
        <label class="check">
          <input
            type="checkbox"
            [checked]="f.ownThresholds"
            (change)="set('ownThresholds', $any($event.target).checked)"
            data-testid="platform-own-thresholds"
          />
          Thresholds of this platform (else Lectern's: late after {{ view()?.defaults?.lateAfterMinutes }} min,
          {{ view()?.defaults?.minActivePercent }}% active)
        </label>
        @if (f.ownThresholds) {
          <div class="fields">
            <label
              >Late after (min)
              <input
                inputmode="numeric"
                [value]="f.lateAfterMinutes"
                (input)="set('lateAfterMinutes', $any($event.target).value)"
                data-testid="platform-late-after"
            /></label>
            <label
              >Left early at (min before the end)
              <input
                inputmode="numeric"
                [value]="f.leftEarlyMinutes"
                (input)="set('leftEarlyMinutes', $any($event.target).value)"
                data-testid="platform-left-early"
            /></label>
            <label
              >Minimum active minutes (empty: none)
              <input
                inputmode="numeric"
                [value]="f.minActiveMinutes"
                (input)="set('minActiveMinutes', $any($event.target).value)"
                data-testid="platform-min-active-minutes"
            /></label>
            <label
              >Minimum active share, % (empty: none)
              <input
                inputmode="decimal"
                [value]="f.minActivePercent"
                (input)="set('minActivePercent', $any($event.target).value)"
                data-testid="platform-min-active-percent"
            /></label>
          </div>
        }
        <label
          >Time zone of its courses (empty: UTC)
          <input
            type="text"
            list="admin-zones"
            [value]="zone()"
            (input)="zone.set($any($event.target).value)"
            data-testid="platform-zone"
          />
        </label>
        <datalist id="admin-zones">
          @for (z of zones; track z) {
            <option [value]="z"></option>
          }
        </datalist>
        <p class="actions">
          <button class="btn" type="submit" [disabled]="busy()" data-testid="platform-attendance-save">Save</button>
          @if (saved()) {
            <span role="status" data-testid="platform-attendance-saved">Saved</span>
          }
        </p>
      }
      @if (problem()) {
        <p class="error" role="alert" data-testid="platform-attendance-problem">{{ problem() }}</p>
      }
    </form>
  `,
  styles: `
    .defaults {
      display: grid;
      gap: 0.5rem;
      padding: 0.5rem 0;
    }
    .fields {
      display: grid;
      gap: 0.5rem;
      grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
    }
    label {
      display: grid;
      gap: 0.2rem;
    }
    .check {
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    .actions {
      display: flex;
      gap: 0.8rem;
      align-items: center;
      margin: 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PlatformAttendanceComponent implements OnInit {
  private readonly api = inject(AdminApi);
  readonly token = input.required<string>();
  readonly platformId = input.required<string>();
  protected readonly zones = zoneChoices();
  protected readonly view = signal<PlatformAttendanceView | null>(null);
  protected readonly form = signal<SettingsForm | null>(null);
  protected readonly zone = signal('');
  protected readonly problem = signal<string | null>(null);
  protected readonly saved = signal(false);
  protected readonly busy = signal(false);

  async ngOnInit(): Promise<void> {
    try {
      this.show(await this.api.platformAttendance(this.token(), this.platformId()));
    } catch (e) {
      this.problem.set(toShownError(e).message);
    }
  }

  protected set<K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) {
    const f = this.form();
    if (f) this.form.set({ ...f, [key]: value });
    this.saved.set(false);
  }

  protected async save(event: Event) {
    event.preventDefault();
    const f = this.form();
    if (!f) return;
    const checked = settingsBody(f);
    if (!checked.ok) return this.problem.set(checked.message);
    const zone = zoneInput(this.zone());
    if (!zone.ok) return this.problem.set(zone.message);
    this.busy.set(true);
    try {
      this.show(
        await this.api.savePlatformAttendance(this.token(), this.platformId(), {
          thresholds: checked.body.thresholds,
          timeZone: zone.zone,
        }),
      );
      this.problem.set(null);
      this.saved.set(true);
    } catch (e) {
      this.problem.set(toShownError(e).message);
    } finally {
      this.busy.set(false);
    }
  }

  private show(v: PlatformAttendanceView) {
    this.view.set(v);
    const t = v.thresholds ?? v.defaults;
    this.form.set({
      ownThresholds: v.thresholds !== null,
      lateAfterMinutes: text(t.lateAfterMinutes),
      leftEarlyMinutes: text(t.leftEarlyMinutes),
      minActiveMinutes: text(t.minActiveMinutes),
      minActivePercent: text(t.minActivePercent),
      gradingMode: 'percent',
      autoGrade: true,
    });
    this.zone.set(v.timeZone ?? '');
  }
}
