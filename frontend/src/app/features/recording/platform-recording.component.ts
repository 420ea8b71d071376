import { ChangeDetectionStrategy, Component, inject, input, OnInit, signal } from '@angular/core';
import type { PlatformRecordingSettings } from '@contracts/recording';
import { toShownError } from '../../core/api-error';
import { RecordingApi } from './recording-api.service';

/** The operator's recording switch of one platform (admin console): whether its classes record, and for how long recordings are kept. */
@Component({
  selector: 'app-platform-recording',
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
        record classes
      </label>
      <label class="keep">
        keep
        <input
          type="number"
          min="1"
          max="3650"
          placeholder="forever"
          [value]="s.retentionDays ?? ''"
          [disabled]="busy()"
          (change)="keep(s, $any($event.target).value)"
        />
        days
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
  protected readonly settings = signal<PlatformRecordingSettings | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  async ngOnInit() {
    try {
      this.settings.set(await this.api.platform(this.token(), this.platformId()));
    } catch (e) {
      this.error.set(toShownError(e).message);
    }
  }

  protected keep(s: PlatformRecordingSettings, value: string) {
    const days = value.trim() === '' ? null : Math.round(Number(value));
    if (days !== null && !(days >= 1 && days <= 3650)) {
      this.error.set('Keep recordings between 1 and 3650 days, or leave it empty to keep them.');
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
      this.error.set(toShownError(e).message);
    } finally {
      this.busy.set(false);
    }
  }
}
