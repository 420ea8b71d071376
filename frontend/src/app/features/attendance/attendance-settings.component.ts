import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { ChangeDetectionStrategy, Component, computed, inject, model, signal } from '@angular/core';
import type { AttendanceSettingsView } from '@contracts/attendance';
import { toShownError } from '../../core/api-error';
import { LanguageService } from '../../core/i18n/i18n';
import { AttendanceApi } from './attendance-api.service';
import { thresholdLines } from './attendance-view';
import { formFromSettings, gradingText, settingsBody, type SettingsForm } from './settings-form';

/** The classroom's attendance thresholds (its own or the platform's) and how its attendance grade is computed. */
@Component({
  selector: 'app-attendance-settings',
  imports: [TranslocoPipe],
  templateUrl: './attendance-settings.component.html',
  styleUrl: './attendance-settings.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AttendanceSettingsComponent {
  private readonly api = inject(AttendanceApi);
  private readonly i18n = inject(TranslocoService);
  private readonly language = inject(LanguageService);
  private readonly tr = (key: string, params?: Record<string, string | number>) => (
    this.language.current(),
    this.i18n.translate(key, params)
  );
  /** What the server has; the page shares it (reports use its time zone and points). */
  readonly settings = model.required<AttendanceSettingsView>();
  protected readonly draft = signal<SettingsForm | null>(null);
  protected readonly form = computed(() => this.draft() ?? formFromSettings(this.settings()));
  protected readonly problem = signal<{ field: string; message: string } | null>(null);
  protected readonly saved = signal(false);
  protected readonly busy = signal(false);
  protected readonly platformLines = computed(() => thresholdLines(this.settings().platform, this.tr));
  protected readonly gradingWords = computed(() => {
    const f = this.form();
    const s = this.settings();
    const body = settingsBody(f, this.tr);
    const t = body.ok && body.body.thresholds ? body.body.thresholds : f.ownThresholds ? s.effective : s.platform;
    return gradingText(f.gradingMode, s.points, t, this.tr);
  });

  protected set<K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) {
    this.draft.set({ ...this.form(), [key]: value });
    this.saved.set(false);
  }

  protected text(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected async save(event: Event) {
    event.preventDefault();
    const result = settingsBody(this.form(), this.tr);
    if (!result.ok) {
      this.problem.set({ field: result.field, message: result.message });
      return;
    }
    this.problem.set(null);
    this.busy.set(true);
    try {
      this.settings.set(await this.api.saveSettings(result.body));
      this.draft.set(null);
      this.saved.set(true);
    } catch (e) {
      this.problem.set({ field: 'form', message: this.language.errorText(toShownError(e)) });
    } finally {
      this.busy.set(false);
    }
  }
}
