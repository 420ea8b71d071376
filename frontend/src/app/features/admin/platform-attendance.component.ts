import { ChangeDetectionStrategy, Component, inject, input, OnInit, signal } from '@angular/core';
import type { PlatformAttendanceView } from '@contracts/attendance';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { toShownError } from '../../core/api-error';
import { LanguageService } from '../../core/i18n/i18n';
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
  imports: [TranslocoPipe],
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
          {{
            'platformDefaults.own'
              | transloco
                : { late: view()?.defaults?.lateAfterMinutes ?? '', share: view()?.defaults?.minActivePercent ?? '' }
          }}
        </label>
        @if (f.ownThresholds) {
          <div class="fields">
            <label
              >{{ 'platformDefaults.lateAfter' | transloco }}
              <input
                inputmode="numeric"
                [value]="f.lateAfterMinutes"
                (input)="set('lateAfterMinutes', $any($event.target).value)"
                data-testid="platform-late-after"
            /></label>
            <label
              >{{ 'platformDefaults.leftEarly' | transloco }}
              <input
                inputmode="numeric"
                [value]="f.leftEarlyMinutes"
                (input)="set('leftEarlyMinutes', $any($event.target).value)"
                data-testid="platform-left-early"
            /></label>
            <label
              >{{ 'platformDefaults.minMinutes' | transloco }}
              <input
                inputmode="numeric"
                [value]="f.minActiveMinutes"
                (input)="set('minActiveMinutes', $any($event.target).value)"
                data-testid="platform-min-active-minutes"
            /></label>
            <label
              >{{ 'platformDefaults.minShare' | transloco }}
              <input
                inputmode="decimal"
                [value]="f.minActivePercent"
                (input)="set('minActivePercent', $any($event.target).value)"
                data-testid="platform-min-active-percent"
            /></label>
          </div>
        }
        <label
          >{{ 'platformDefaults.zone' | transloco }}
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
          <button class="btn" type="submit" [disabled]="busy()" data-testid="platform-attendance-save">
            {{ 'common.save' | transloco }}
          </button>
          @if (saved()) {
            <span role="status" data-testid="platform-attendance-saved">{{ 'courseSettings.saved' | transloco }}</span>
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
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
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
      this.problem.set(this.language.errorText(toShownError(e)));
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
    const checked = settingsBody(f, (key, params) => this.i18n.translate(key, params));
    if (!checked.ok) return this.problem.set(checked.message);
    const zone = zoneInput(this.zone());
    if (!zone.ok) return this.problem.set(this.i18n.translate('courseSettings.notZone', { zone: this.zone().trim() }));
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
      this.problem.set(this.language.errorText(toShownError(e)));
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
