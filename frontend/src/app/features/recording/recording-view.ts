import type { RecordingState } from '@contracts/recording';
import { EN } from '../../core/i18n/en';
import { translatorOf } from '../../core/i18n/language';

type Translate = (key: string, params?: Record<string, string | number>) => string;
const english: Translate = translatorOf(EN);

/** What the room shows of the class's recording: the indicator's words, and the banner on joining. */
export interface RecordingView {
  /** Short, beside the connection state: "Recording", "Recording paused", or nothing. */
  indicator: string | null;
  /** The tone of the indicator: red dot while recording, grey while paused. */
  tone: 'live' | 'paused' | null;
  /** Said once on joining (and on a change): what is recorded, or why not. */
  banner: string | null;
}

export function recordingView(state: RecordingState | null, t: Translate = english): RecordingView {
  if (!state) return { indicator: null, tone: null, banner: null };
  switch (state.status) {
    case 'recording':
      return {
        indicator: t('recordings.live.indicator'),
        tone: 'live',
        banner: t('recordings.live.banner'),
      };
    case 'paused':
      return {
        indicator: t('recordings.live.paused'),
        tone: 'paused',
        banner: state.by ? t('recordings.live.pausedByBanner', { name: state.by }) : t('recordings.live.pausedBanner'),
      };
    case 'off':
      return {
        indicator: null,
        tone: null,
        banner: null,
      };
  }
}
