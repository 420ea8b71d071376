import type { RecordingSummary } from '@contracts/recording-playback';
import { describe, expect, it } from 'vitest';
import { applyProgress } from './recordings-progress';

const item = (id: string, status: RecordingSummary['status']): RecordingSummary => ({
  id,
  title: 'Physics',
  startedAt: '2026-12-04T09:00:00.000Z',
  endedAt: '2026-12-04T10:00:00.000Z',
  status,
  durationMs: null,
  hidden: false,
  chapters: [],
  progress: { stage: null, percent: 0, attempts: 0, error: null },
});

describe('applyProgress', () => {
  const list = [item('a', 'processing'), item('b', 'ready')];

  it('moves the progress bar of the recording in place', () => {
    const u = { id: 'a', status: 'processing' as const, stage: 'composite', percent: 42, attempts: 1, error: null };
    const { list: next, reload } = applyProgress(list, u);
    expect(reload).toBe(false);
    expect(next[0]).toMatchObject({ status: 'processing', progress: { stage: 'composite', percent: 42, attempts: 1 } });
    expect(next[1]).toBe(list[1]);
  });

  it('shows a failure with its reason at once (the Retry button follows the status)', () => {
    const u = {
      id: 'a',
      status: 'failed' as const,
      stage: 'composite',
      percent: 42,
      attempts: 3,
      error: 'ffmpeg exited with 1',
    };
    const { list: next, reload } = applyProgress(list, u);
    expect(reload).toBe(false);
    expect(next[0]).toMatchObject({ status: 'failed', progress: { attempts: 3, error: 'ffmpeg exited with 1' } });
  });

  it('reloads for a recording it does not list, and when one becomes ready (duration, chapters)', () => {
    const done = { id: 'a', status: 'ready' as const, stage: null, percent: 100, attempts: 1, error: null };
    expect(applyProgress(list, done).reload).toBe(true);
    expect(applyProgress(list, { ...done, id: 'new', status: 'queued' }).reload).toBe(true);
    // Already ready: a repeated update changes nothing that needs the list again.
    expect(applyProgress(list, { ...done, id: 'b' }).reload).toBe(false);
  });
});
