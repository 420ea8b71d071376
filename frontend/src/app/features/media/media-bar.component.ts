import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { TranslocoPipe } from '@jsverse/transloco';
import { NgIcon } from '@ng-icons/core';
import type { MediaClient } from './media-client';

/** Mic, camera and screen toggles, the device picker, and what went wrong (permission denied, no device, connection lost). */
@Component({
  selector: 'app-media-bar',
  imports: [NgIcon, TranslocoPipe],
  template: `
    @let m = media();
    <div class="bar" role="toolbar" [attr.aria-label]="'media.bar' | transloco">
      @if (!watchOnly()) {
        <button
          class="ctl"
          [class.off]="!m.mic()"
          [attr.aria-pressed]="m.mic()"
          [title]="((m.mic() ? 'media.mute' : 'media.unmute') | transloco) + ' (Ctrl+D)'"
          (click)="m.toggle('mic')"
          data-testid="toggle-mic"
        >
          <ng-icon [name]="m.mic() ? 'lucideMic' : 'lucideMicOff'" aria-hidden="true" /><span class="ctl-label">{{
            'media.microphone' | transloco
          }}</span>
        </button>
        <button
          class="ctl"
          [class.off]="!m.camera()"
          [attr.aria-pressed]="m.camera()"
          [title]="((m.camera() ? 'media.stopVideo' : 'media.startVideo') | transloco) + ' (Ctrl+E)'"
          (click)="m.toggle('camera')"
          data-testid="toggle-camera"
        >
          <ng-icon [name]="m.camera() ? 'lucideVideo' : 'lucideVideoOff'" aria-hidden="true" /><span
            class="ctl-label"
            >{{ 'media.camera' | transloco }}</span
          >
        </button>
        @if (canTeach() || m.policy().studentScreenShare) {
          <button
            class="ctl"
            [class.off]="!m.screen()"
            [attr.aria-pressed]="m.screen()"
            [title]="(m.screen() ? 'media.stopSharing' : 'media.shareScreen') | transloco"
            (click)="m.toggle('screen')"
            data-testid="toggle-screen"
          >
            <ng-icon name="lucideMonitorUp" aria-hidden="true" /><span class="ctl-label">{{
              'media.shareScreen' | transloco
            }}</span>
          </button>
        }
      }
      <ng-content />
      <details class="devices">
        <summary [attr.aria-label]="'media.settings' | transloco" [title]="'media.settings' | transloco">
          <ng-icon name="lucideSettings" aria-hidden="true" />
        </summary>
        <div class="menu">
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
          @if (canTeach()) {
            <label class="opt"
              ><input
                type="checkbox"
                [checked]="m.policy().studentScreenShare"
                (change)="m.setPolicy($any($event.target).checked)"
                data-testid="allow-student-screens"
              />
              {{ 'media.studentsMayShareCap' | transloco }}</label
            >
          }
        </div>
      </details>
      @if (m.route() === 'relay') {
        <span class="route" [title]="'media.relayHelp' | transloco">{{ 'media.viaRelay' | transloco }}</span>
      }
      <span
        class="state"
        role="status"
        [attr.data-media-state]="m.state()"
        [attr.data-route]="m.route()"
        data-testid="media-state"
      >
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
    :host {
      display: block;
    }
    .bar {
      display: flex;
      gap: 0.35rem;
      align-items: center;
      justify-content: center;
      flex-wrap: wrap;
    }
    /* One compact bar of round controls (Meet-like); the label under the icon goes on a narrow screen. */
    .ctl,
    :host ::ng-deep .ctl {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
      border: 0;
      border-radius: 999px;
      padding: 0 0.8rem;
      min-height: 44px;
      min-width: 44px;
      justify-content: center;
      background: #374151;
      color: #fff;
      font: inherit;
      font-size: 0.85rem;
      cursor: pointer;
    }
    .ctl.off {
      background: #b91c1c;
    }
    :host ::ng-deep .ctl.on {
      background: #f59e0b;
      color: #111827;
    }
    .ctl:focus-visible,
    :host ::ng-deep .ctl:focus-visible,
    summary:focus-visible {
      outline: 3px solid #93c5fd;
      outline-offset: 2px;
    }
    ng-icon,
    :host ::ng-deep .ctl ng-icon {
      font-size: 1.25rem;
    }
    @media (max-width: 720px) {
      .ctl-label,
      :host ::ng-deep .ctl-label {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
      }
      .ctl,
      :host ::ng-deep .ctl {
        padding: 0;
      }
    }
    .devices {
      position: relative;
      color: #e5e7eb;
      font-size: 0.85rem;
    }
    .devices summary {
      list-style: none;
      display: grid;
      place-items: center;
      width: 44px;
      height: 44px;
      border-radius: 999px;
      background: #374151;
      cursor: pointer;
      font-size: 1.25rem;
    }
    .devices summary::-webkit-details-marker {
      display: none;
    }
    .menu {
      position: absolute;
      bottom: 3.2rem;
      right: 0;
      z-index: 20;
      background: #1f2937;
      border-radius: 10px;
      padding: 0.6rem;
      display: grid;
      gap: 0.4rem;
      min-width: 15rem;
      box-shadow: 0 6px 20px rgba(0, 0, 0, 0.4);
    }
    .menu label {
      display: grid;
      gap: 0.2rem;
    }
    .menu .opt {
      display: flex;
      gap: 0.35rem;
      align-items: center;
    }
    .menu select {
      max-width: 16rem;
    }
    /* The bar sits on the page's light background: dark amber and blue, readable there (AA). */
    .state {
      color: #92400e;
      font-size: 0.8rem;
    }
    .state:empty {
      display: none;
    }
    .route {
      color: #1d4ed8;
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
  /** An observer: receives the class, sends nothing (no microphone, camera or screen controls). */
  readonly watchOnly = input(false);
}
