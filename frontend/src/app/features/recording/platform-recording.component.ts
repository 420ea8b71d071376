import { ChangeDetectionStrategy, Component, inject, input, OnInit, signal } from '@angular/core';
import type { PlatformRecordingSettings } from '@contracts/recording';
import { TranslocoPipe, TranslocoService } from '@jsverse/transloco';
import { toShownError } from '../../core/api-error';
import { LanguageService } from '../../core/i18n/i18n';
import { RecordingApi } from './recording-api.service';

/** The operator's recording switch of one platform (admin console): whether its classes record, and for how long recordings are kept. */
@Component({
  selector: 'app-platform-recording',
  imports: [TranslocoPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (settings(); as s) {
      <label>
        <input
          type="checkbox"
          data-testid="platform-recording"
          [checked]="s.enabled"
          [disabled]="busy()"
          (change)="save({ enabled: $any($event.target).checked, retentionDays: s.retentionDays })"
        />
        {{ 'recordings.setting.record' | transloco }}
      </label>
      <label class="keep">
        {{ 'recordings.setting.keep' | transloco }}
        <input
          type="number"
          min="1"
          max="3650"
          [placeholder]="'recordings.setting.forever' | transloco"
          [value]="s.retentionDays ?? ''"
          [disabled]="busy()"
          (change)="keep(s, $any($event.target).value)"
        />
        {{ 'recordings.setting.days' | transloco }}
      </label>
    }
    @if (error(); as e) {
      <small class="error">{{ e }}</small>
    }
  `,
  styles: `
    .keep input {
      width: 5rem;
    }
    label {
      display: block;
    }
  `,
})
export class PlatformRecordingComponent implements OnInit {
  readonly token = input.required<string>();
  readonly platformId = input.required<string>();
  private readonly api = inject(RecordingApi);
  private readonly language = inject(LanguageService);
  private readonly i18n = inject(TranslocoService);
  protected readonly settings = signal<PlatformRecordingSettings | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  async ngOnInit() {
    try {
      this.settings.set(await this.api.platform(this.token(), this.platformId()));
    } catch (e) {
      this.error.set(this.language.errorText(toShownError(e)));
    }
  }

  protected keep(s: PlatformRecordingSettings, value: string) {
    const days = value.trim() === '' ? null : Math.round(Number(value));
    if (days !== null && !(days >= 1 && days <= 3650)) {
      this.error.set(this.i18n.translate('recordings.setting.keepRange'));
      return;
    }
    void this.save({ enabled: s.enabled, retentionDays: days });
  }

  protected async save(next: PlatformRecordingSettings) {
    this.busy.set(true);
    try {
      this.settings.set(await this.api.setPlatform(this.token(), this.platformId(), next));
      this.error.set(null);
    } catch (e) {
      this.error.set(this.language.errorText(toShownError(e)));
    } finally {
      this.busy.set(false);
    }
  }
}
