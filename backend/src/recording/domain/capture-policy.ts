/**
 * What the live capture records and how it keeps going: pure rules, no process or media object here.
 */
export type TrackKind = 'video' | 'audio' | 'screen';
export type ProducerSource = 'mic' | 'camera' | 'screen' | 'screen-audio';

/** Why a capture run ended (`recording_track.end_reason`). */
export type RunEndReason =
  | 'producer-closed' // the camera, microphone or screen share was turned off
  | 'paused' // the person muted it, or an instructor paused the recording: a new run starts at the resume
  | 'room-closed' // the class's media closed here (class ended, everyone left, worker died, host moved)
  | 'ffmpeg-exited' // the FFmpeg process died: the supervisor starts a new run (a gap)
  | 'recording-off' // recording was turned off for the class
  | 'shutdown' // this instance is stopping
  | 'instance-lost'; // the instance that ran it died; closed by another one

/**
 * Which track a producer becomes in the recording, or null when it is not recorded: the instructors'
 * camera, every screen share (only instructors, or students the instructor allowed, can share), and
 * everyone's voice (the screen share's sound is a voice of the class too). Students' cameras are not
 * recorded: the recording shows what the class was shown.
 */
export function trackOf(source: ProducerSource, canTeach: boolean): TrackKind | null {
  switch (source) {
    case 'mic':
    case 'screen-audio':
      return 'audio';
    case 'screen':
      return 'screen';
    case 'camera':
      return canTeach ? 'video' : null;
  }
}

/**
 * Whether a class records, and if not, whose switch is off. The platform's administrator has the last
 * word (a school that does not allow recording is not overruled by a classroom); within a platform that
 * records, a classroom may turn it off (null: the platform's default).
 */
export function recordingSwitch(
  platformEnabled: boolean,
  classroomEnabled: boolean | null,
): { enabled: boolean; off: 'platform' | 'classroom' | null } {
  if (!platformEnabled) return { enabled: false, off: 'platform' };
  if (classroomEnabled === false) return { enabled: false, off: 'classroom' };
  return { enabled: true, off: null };
}

export interface RestartPolicy {
  /** First delay after a crash. */
  baseMs: number;
  /** Longest delay. */
  maxMs: number;
  /** A run that lasted this long was healthy: the next crash starts the delays over. */
  healthyMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { baseMs: 250, maxMs: 15_000, healthyMs: 30_000 };

/**
 * How long the supervisor waits before starting a new run after FFmpeg died, given how long each
 * earlier run of this producer lived (newest last). Crashes in a row back off (doubling, capped), so a
 * broken FFmpeg does not eat the host's CPU; a run that lived a while resets the count. It never gives
 * up while the producer exists: a track that stops recording for good is worse than a slow retry.
 */
export function restartDelay(runLifetimesMs: number[], policy: RestartPolicy = DEFAULT_RESTART): number {
  let crashes = 0;
  for (let i = runLifetimesMs.length - 1; i >= 0 && runLifetimesMs[i] < policy.healthyMs; i--) crashes++;
  if (crashes === 0) return policy.baseMs;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** (crashes - 1));
}

/** The gap mark's label: whose track lost seconds, and why. */
export function gapLabel(kind: TrackKind, name: string, reason: 'capture-restarted' | 'host-lost'): string {
  const what = kind === 'audio' ? 'audio' : kind === 'screen' ? 'screen share' : 'camera';
  return reason === 'host-lost'
    ? `Recording interrupted: the server hosting the class's media stopped (${what} of ${name})`
    : `Recording interrupted: the ${what} capture of ${name} restarted`;
}
