import { describe, expect, it } from 'vitest';
import { audioConstraints, cameraConstraints, pickableDevices } from './devices';

describe('device constraints', () => {
  it('asks for echo cancellation, noise suppression and auto gain, and the chosen microphone when there is one', () => {
    expect(audioConstraints()).toEqual({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });
    expect(audioConstraints('mic-2')).toEqual({
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
      deviceId: { ideal: 'mic-2' },
    });
  });

  it('asks for 720p at 24 fps, and the chosen camera as a preference (not a requirement)', () => {
    expect(cameraConstraints()).toEqual({ width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24 } });
    expect(cameraConstraints('cam-1')).toMatchObject({ deviceId: { ideal: 'cam-1' } });
  });

  it('offers only named microphones and cameras (not outputs, not the unnamed ones before permission)', () => {
    const list = [
      { deviceId: 'm1', kind: 'audioinput' as const },
      { deviceId: '', kind: 'audioinput' as const },
      { deviceId: 's1', kind: 'audiooutput' as const },
      { deviceId: 'c1', kind: 'videoinput' as const },
    ];
    expect(pickableDevices(list).map((d) => d.deviceId)).toEqual(['m1', 'c1']);
  });
});
