import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';
import type { MediaClient } from './media-client';

/** Mic, camera and screen toggles, the device picker, and what went wrong (permission denied, no device, connection lost). */
@Component({
  selector: 'app-media-bar',
  imports: [TranslocoPipe],
  template: `
    @let m = media();
    <div class="bar" role="toolbar" [attr.aria-label]="'media.bar' | transloco">
      <button class="btn" [class.off]="!m.mic()" (click)="m.toggle('mic')" data-testid="toggle-mic">
        {{ m.mic() ? '🎤 ' + ('media.mute' | transloco) : '🔇 ' + ('media.unmute' | transloco) }}
      </button>
      <button class="btn" [class.off]="!m.camera()" (click)="m.toggle('camera')" data-testid="toggle-camera">
        📷 {{ (m.camera() ? 'media.stopVideo' : 'media.startVideo') | transloco }}
      </button>
      @if (canTeach() || m.policy().studentScreenShare) {
        <button class="btn" [class.off]="!m.screen()" (click)="m.toggle('screen')" data-testid="toggle-screen">
          🖥 {{ (m.screen() ? 'media.stopSharing' : 'media.shareScreen') | transloco }}
        </button>
      }
      @if (canTeach()) {
        <label class="opt"
          ><input
            type="checkbox"
            [checked]="m.policy().studentScreenShare"
            (change)="m.setPolicy($any($event.target).checked)"
            data-testid="allow-student-screens"
          />
          {{ 'media.studentsMayShare' | transloco }}</label
        >
      }
      <details class="devices">
        <summary>{{ 'media.devices' | transloco }}</summary>
        <label
          >{{ 'media.microphone' | transloco }}
          <select (change)="m.chooseDevice('audioinput', $any($event.target).value)" data-testid="pick-mic">
            <option value="">{{ 'media.default' | transloco }}</option>
            @for (d of m.devices.mics(); track d.deviceId) {
              <option [value]="d.deviceId" [selected]="d.deviceId === m.devices.chosenMic()">
                {{ d.label || ('media.microphone' | transloco) }}
              </option>
            }
          </select>
        </label>
        <label
          >{{ 'media.camera' | transloco }}
          <select (change)="m.chooseDevice('videoinput', $any($event.target).value)" data-testid="pick-camera">
            <option value="">{{ 'media.default' | transloco }}</option>
            @for (d of m.devices.cameras(); track d.deviceId) {
              <option [value]="d.deviceId" [selected]="d.deviceId === m.devices.chosenCamera()">
                {{ d.label || ('media.camera' | transloco) }}
              </option>
            }
          </select>
        </label>
      </details>
      @if (m.route() === 'relay') {
        <span class="route" [title]="'media.relayHelp' | transloco">{{ 'media.viaRelay' | transloco }}</span>
      }
      <span class="state" [attr.data-media-state]="m.state()" [attr.data-route]="m.route()" data-testid="media-state">
        @switch (m.state()) {
          @case ('connecting') {
            {{ 'media.connecting' | transloco }}
          }
          @case ('reconnecting') {
            {{ 'media.reconnecting' | transloco }}
          }
          @case ('failed') {
            {{ 'media.offline' | transloco }}
          }
        }
      </span>
    </div>
    @if (m.error(); as e) {
      <p class="error" role="alert" data-testid="media-error" [title]="e" (click)="m.error.set(null)">{{ e }}</p>
    }
  `,
  styles: `
    .bar {
      display: flex;
      flex-wrap: wrap;
      gap: 0.35rem;
      align-items: center;
    }
    .btn {
      border: 0;
      border-radius: 8px;
      padding: 0.4rem 0.6rem;
      background: #2563eb;
      color: #fff;
      font: inherit;
      font-size: 0.85rem;
      cursor: pointer;
      min-height: 36px;
    }
    .btn.off {
      background: #374151;
    }
    .opt {
      color: #e5e7eb;
      font-size: 0.8rem;
      display: flex;
      gap: 0.25rem;
      align-items: center;
    }
    .devices {
      color: #e5e7eb;
      font-size: 0.8rem;
    }
    .devices label {
      display: flex;
      gap: 0.3rem;
      align-items: center;
      margin-top: 0.25rem;
    }
    .devices select {
      max-width: 12rem;
    }
    .state {
      color: #fde68a;
      font-size: 0.8rem;
    }
    .route {
      color: #bfdbfe;
      font-size: 0.75rem;
      border: 1px solid #3b82f6;
      border-radius: 999px;
      padding: 0 0.4rem;
    }
    /* One line, so that a notice never pushes the board out of a small LMS frame (the whole text is its title). */
    .error {
      color: #fecaca;
      background: #7f1d1d;
      border-radius: 8px;
      padding: 0.35rem 0.6rem;
      margin: 0.3rem 0 0;
      cursor: pointer;
      font-size: 0.85rem;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MediaBarComponent {
  readonly media = input.required<MediaClient>();
  readonly canTeach = input(false);
}
