import type { MediaSource } from '@contracts/media';
import { frameRefuses, inFrame } from '../../core/popout';
import { EN } from '../../core/i18n/en';
import { lookup } from '../../core/i18n/language';

type Params = Record<string, string>;
type Translate = (key: string, params?: Params) => string;

/** English until the room hands over the app's translator (`useMediaWords`); the media code runs outside Angular's DI. */
let translate: Translate = (key, params = {}) =>
  (lookup(EN, key) ?? key).replace(/\{\{\s*(\w+)\s*\}\}/g, (_, p: string) => params[p] ?? '');

/** The words of the person's language for what follows (one language per tab: set once by the room). */
export function useMediaWords(t: Translate): void {
  translate = t;
}

const what = (source: MediaSource) => translate(`media.device.${source}`);

/** What a person should read when their camera, microphone or screen cannot be used. */
export function describeMediaError(e: unknown, source: MediaSource): string {
  const name = (e as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    const feature = source === 'mic' ? 'microphone' : source === 'camera' ? 'camera' : 'display-capture';
    if (inFrame() && frameRefuses(feature)) return translate('media.frameRefuses', { what: what(source) });
    return source === 'screen'
      ? translate('media.screenCancelled')
      : translate('media.browserBlocked', { what: what(source) });
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return translate('media.notFound', { what: what(source) });
  if (name === 'NotReadableError') return translate('media.inUse', { what: what(source) });
  const code = (e as { code?: string })?.code;
  if (code === 'SCREEN_SHARE_FORBIDDEN') return translate('media.screenForbidden');
  if (code === 'MIC_LOCKED') return translate('media.micLocked');
  if (code === 'CAMERA_LOCKED') return translate('media.cameraLocked');
  return translate('media.couldNotStart', { what: what(source), why: String((e as Error)?.message ?? e) });
}

/** What the instructor did to one of our sources. */
export function stoppedByTeacher(source: MediaSource): string {
  return translate(source === 'camera' ? 'media.cameraStopped' : 'media.screenStopped');
}

export function joinFailed(e: unknown): string {
  return translate('media.joinFailed', { why: String((e as Error).message) });
}

export function receiveFailed(e: unknown): string {
  return translate('media.receiveFailed', { why: String((e as Error).message) });
}

export function deviceReplaced(source: 'mic' | 'camera', label: string): string {
  return translate('media.deviceReplaced', {
    what: what(source),
    label: label || translate('media.defaultDevice'),
  });
}
