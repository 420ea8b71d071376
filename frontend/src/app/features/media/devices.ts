import { computed, signal } from '@angular/core';
import { safeStorage } from '../../core/safe-storage';

export type CaptureSource = 'mic' | 'camera' | 'screen';
export type InputKind = 'audioinput' | 'videoinput';

/** Where the chosen devices are remembered (this browser, across classes). */
export const DEVICE_KEYS = { audioinput: 'lectern.mic', videoinput: 'lectern.camera' } as const;

/** A microphone with echo cancellation, noise suppression and auto gain; the chosen one if it is still there. */
export function audioConstraints(deviceId?: string): MediaTrackConstraints {
  return {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
    ...(deviceId ? { deviceId: { ideal: deviceId } } : {}),
  };
}

/** A 720p camera at 24 frames a second (the top simulcast layer); the chosen one if it is still there. */
export function cameraConstraints(deviceId?: string): MediaTrackConstraints {
  return {
    width: { ideal: 1280 },
    height: { ideal: 720 },
    frameRate: { ideal: 24 },
    ...(deviceId ? { deviceId: { ideal: deviceId } } : {}),
  };
}

/** The microphones and cameras a person can pick (the browser lists outputs too, and unnamed ones before permission). */
export function pickableDevices<D extends Pick<MediaDeviceInfo, 'deviceId' | 'kind'>>(list: readonly D[]): D[] {
  return list.filter((d) => d.deviceId && (d.kind === 'audioinput' || d.kind === 'videoinput'));
}

/** The microphones and cameras of this browser, which ones the person chose, and capturing from them. */
export class MediaDevicesChoice {
  readonly list = signal<MediaDeviceInfo[]>([]);
  readonly mics = computed(() => this.list().filter((d) => d.kind === 'audioinput'));
  readonly cameras = computed(() => this.list().filter((d) => d.kind === 'videoinput'));
  readonly chosenMic = signal(safeStorage.get(DEVICE_KEYS.audioinput) ?? '');
  readonly chosenCamera = signal(safeStorage.get(DEVICE_KEYS.videoinput) ?? '');

  constructor() {
    navigator.mediaDevices?.addEventListener('devicechange', () => void this.refresh());
  }

  async refresh(): Promise<void> {
    const list = (await navigator.mediaDevices?.enumerateDevices().catch(() => [])) ?? [];
    this.list.set(pickableDevices(list));
  }

  /** Remembers the person's choice. */
  choose(kind: InputKind, deviceId: string): void {
    safeStorage.set(DEVICE_KEYS[kind], deviceId);
    (kind === 'audioinput' ? this.chosenMic : this.chosenCamera).set(deviceId);
  }

  /** A track from the chosen device (or the default), or the screen the person picks. */
  async capture(source: CaptureSource): Promise<MediaStreamTrack> {
    if (source === 'screen') {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: false });
      return stream.getVideoTracks()[0];
    }
    if (source === 'mic') {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: audioConstraints(this.chosenMic() || undefined),
      });
      return stream.getAudioTracks()[0];
    }
    const stream = await navigator.mediaDevices.getUserMedia({
      video: cameraConstraints(this.chosenCamera() || undefined),
    });
    return stream.getVideoTracks()[0];
  }

  /** The default device, after the chosen one went away. */
  async captureDefault(source: 'mic' | 'camera'): Promise<MediaStreamTrack> {
    const fresh = await navigator.mediaDevices.getUserMedia(
      source === 'mic' ? { audio: audioConstraints() } : { video: true },
    );
    return source === 'mic' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0];
  }
}
