import { ChangeDetectionStrategy, Component, inject, OnInit, signal } from '@angular/core';
import type { ClassroomRecordingSettings } from '@contracts/recording';
import { TranslocoPipe } from '@jsverse/transloco';
import { toShownError } from '../../core/api-error';
import { LanguageService } from '../../core/i18n/i18n';
import { RecordingApi } from './recording-api.service';

/**
 * The instructor's recording switch for this classroom (in the lobby): follow the platform's default or
 * turn recording off; when the platform's administrator turned it off, it says so and cannot be turned on.
 */
@Component({
  selector: 'app-recording-settings',
  imports: [TranslocoPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (settings(); as s) {
      <label class="rec-setting" data-testid="recording-setting">
        {{ 'recordings.setting.label' | transloco }}
        <select
          [value]="s.classroom === false ? 'off' : 'on'"
          [disabled]="!s.platform || busy()"
          (change)="set($any($event.target).value)"
        >
          <option value="on">{{ 'recordings.setting.on' | transloco }}</option>
          <option value="off">{{ 'recordings.setting.off' | transloco }}</option>
        </select>
        @if (!s.platform) {
          <span class="muted">{{ 'recordings.setting.platformOff' | transloco }}</span>
        }
      </label>
    }
    @if (error(); as e) {
      <span class="error" role="alert">{{ e }}</span>
    }
  `,
  styles: `
    .rec-setting {
      display: inline-flex;
      gap: 0.4rem;
      align-items: center;
    }
  `,
})
export class RecordingSettingsComponent implements OnInit {
  private readonly api = inject(RecordingApi);
  private readonly language = inject(LanguageService);
  protected readonly settings = signal<ClassroomRecordingSettings | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  async ngOnInit() {
    try {
      this.settings.set(await this.api.classroom());
    } catch (e) {
      this.error.set(this.language.errorText(toShownError(e)));
    }
  }

  async set(value: 'on' | 'off') {
    this.busy.set(true);
    try {
      // "Record classes" follows the platform (null), which records: the platform's off is final anyway.
      this.settings.set(await this.api.setClassroom(value === 'off' ? false : null));
      this.error.set(null);
    } catch (e) {
      this.error.set(this.language.errorText(toShownError(e)));
    } finally {
      this.busy.set(false);
    }
  }
}
