import type { MediaPolicy, MediaSource } from '../../contracts/media';

export const DEFAULT_POLICY: MediaPolicy = {
  studentScreenShare: false,
  micLocked: false,
  cameraLocked: false,
  unmuteAllowed: [],
};

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
  if (source === 'camera' && !canTeach && policy.cameraLocked) return 'CAMERA_LOCKED';
  return null;
}
