import type { MediaSource } from '@contracts/media';
import { frameRefuses, inFrame } from '../../core/popout';

/** What a person should read when their camera, microphone or screen cannot be used. */
export function describeMediaError(e: unknown, source: MediaSource): string {
  const what = source === 'mic' ? 'microphone' : source === 'camera' ? 'camera' : 'screen';
  const name = (e as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    const feature = source === 'mic' ? 'microphone' : source === 'camera' ? 'camera' : 'display-capture';
    if (inFrame() && frameRefuses(feature)) {
      return `Your LMS does not let Lectern use the ${what} inside the course page. Click "Own window" at the top: the class opens in its own window, where it can.`;
    }
    return source === 'screen'
      ? 'Screen sharing was cancelled or blocked by the browser.'
      : `Your browser blocked the ${what}. Allow it for this site (the camera icon in the address bar), then try again.`;
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return `No ${what} was found. Plug one in, or pick another in the device list.`;
  if (name === 'NotReadableError') return `The ${what} is in use by another application.`;
  const code = (e as { code?: string })?.code;
  if (code === 'SCREEN_SHARE_FORBIDDEN') return 'The instructor has not allowed students to share their screen.';
  if (code === 'MIC_LOCKED') return 'The instructor has locked microphones: ask to unmute.';
  if (code === 'CAMERA_LOCKED') return 'The instructor has locked cameras.';
  return `The ${what} could not start: ${(e as Error)?.message ?? e}`;
}

/** What the instructor did to one of our sources. */
export function stoppedByTeacher(source: MediaSource): string {
  return source === 'camera' ? 'The instructor turned your camera off' : 'The instructor stopped your screen share';
}

export function joinFailed(e: unknown): string {
  return `Video could not connect: ${(e as Error).message}. Retrying…`;
}

export function receiveFailed(e: unknown): string {
  return `A stream could not be received: ${(e as Error).message}`;
}

export function deviceReplaced(source: 'mic' | 'camera', label: string): string {
  return `Your ${source === 'mic' ? 'microphone' : 'camera'} went away; switched to ${label || 'the default device'}`;
}
