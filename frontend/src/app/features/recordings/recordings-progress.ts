import type { RecordingProgressUpdate, RecordingSummary } from '@contracts/recording-playback';

/**
 * A pushed job update applied to the instructor's list: the recording's status and progress replaced in
 * place. `reload` when the list cannot show it from the update alone: a recording not listed yet, or one
 * that just became ready or empty (its duration and chapters come with the list).
 */
export function applyProgress(
  list: RecordingSummary[],
  u: RecordingProgressUpdate,
): { list: RecordingSummary[]; reload: boolean } {
  const current = list.find((r) => r.id === u.id);
  if (!current) return { list, reload: true };
  const progress = { stage: u.stage, percent: u.percent, attempts: u.attempts, error: u.error };
  const next = list.map((r) => (r.id === u.id ? { ...r, status: u.status, progress } : r));
  const finished = current.status !== u.status && (u.status === 'ready' || u.status === 'empty');
  return { list: next, reload: finished };
}
