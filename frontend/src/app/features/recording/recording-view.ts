import type { RecordingState } from '@contracts/recording';

/** What the room shows of the class's recording: the indicator's words, and the banner on joining. */
export interface RecordingView {
  /** Short, beside the connection state: "Recording", "Recording paused", or nothing. */
  indicator: string | null;
  /** The tone of the indicator: red dot while recording, grey while paused. */
  tone: 'live' | 'paused' | null;
  /** Said once on joining (and on a change): what is recorded, or why not. */
  banner: string | null;
}

export function recordingView(state: RecordingState | null): RecordingView {
  if (!state) return { indicator: null, tone: null, banner: null };
  switch (state.status) {
    case 'recording':
      return {
        indicator: 'Recording',
        tone: 'live',
        banner:
          "This class is being recorded: the instructor's camera, screen shares, the whiteboard and everyone's microphone. " +
          "The course's members can watch the recording afterwards.",
      };
    case 'paused':
      return {
        indicator: 'Recording paused',
        tone: 'paused',
        banner: `The recording is paused${state.by ? ` by ${state.by}` : ''}: nothing is recorded until it resumes.`,
      };
    case 'off':
      return {
        indicator: null,
        tone: null,
        banner: null,
      };
  }
}
