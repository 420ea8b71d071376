import type { MediaPolicy, MediaSource } from '../../contracts/media';

export const DEFAULT_POLICY: MediaPolicy = {
  studentScreenShare: false,
  micLocked: false,
  cameraLocked: false,
  unmuteAllowed: [],
  cameraStopped: [],
};

/** Whether this person may send their camera now (null: yes): the class's lock, or an instructor's *Cam off* for them. */
export function cameraRefusal(
  who: { canTeach: boolean; userId: string },
  policy: MediaPolicy,
): 'CAMERA_LOCKED' | 'CAMERA_STOPPED' | null {
  if (who.canTeach) return null;
  if (policy.cameraLocked) return 'CAMERA_LOCKED';
  return policy.cameraStopped.includes(who.userId) ? 'CAMERA_STOPPED' : null;
}

/** Whether this person may send sound from their microphone now (null: yes; else MIC_LOCKED). */
export function unmuteRefusal(
  who: { canTeach: boolean; userId: string },
  source: MediaSource,
  policy: MediaPolicy,
): 'MIC_LOCKED' | null {
  if (source !== 'mic' || who.canTeach || !policy.micLocked) return null;
  return policy.unmuteAllowed.includes(who.userId) ? null : 'MIC_LOCKED';
}

/** Whether this person may send media from this source in a class with this policy (null: yes; else the refusal code). */
export function produceRefusal(
  canTeach: boolean,
  source: MediaSource,
  kind: 'audio' | 'video',
  policy: MediaPolicy,
): string | null {
  const expected = source === 'mic' || source === 'screen-audio' ? 'audio' : 'video';
  if (kind !== expected) return 'KIND_MISMATCH';
  if ((source === 'screen' || source === 'screen-audio') && !canTeach && !policy.studentScreenShare)
    return 'SCREEN_SHARE_FORBIDDEN';
  return null;
}
