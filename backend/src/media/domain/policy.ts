import type { MediaPolicy, MediaSource } from '../../contracts/media';

export const DEFAULT_POLICY: MediaPolicy = { studentScreenShare: false };

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
