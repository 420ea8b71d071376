import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { MissingCaptureFile } from '../domain/capture-files';
import type { ListedSegment } from '../domain/segment-list';

export interface CaptureRunFiles {
  id: string;
  instance: string | null;
  /** The run's segment list, relative to RECORDING_DIR (its folder is the run's folder). */
  playlist: string;
  /** What the list names (empty when there is no list: FFmpeg stopped before closing a first segment). */
  segments: ListedSegment[];
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return false;
      throw e;
    },
  );

/**
 * Which of the runs' files are not under `recordingDir` on this host: a run's folder (capture creates it,
 * with the run's SDP, before the run's row is written, so a listed run without its folder was written to
 * another RECORDING_DIR), and each segment its list names. A run with its folder but no list is not
 * missing anything: it closed before its first segment.
 */
export async function missingCaptureFiles(
  recordingDir: string,
  runs: readonly CaptureRunFiles[],
): Promise<MissingCaptureFile[]> {
  const missing: MissingCaptureFile[] = [];
  for (const run of runs) {
    const folder = path.dirname(run.playlist);
    if (!(await exists(path.join(recordingDir, folder)))) {
      missing.push({ runId: run.id, instance: run.instance, path: folder, what: 'run folder' });
      continue;
    }
    for (const s of run.segments) {
      const file = path.join(folder, s.file);
      if (!(await exists(path.join(recordingDir, file))))
        missing.push({ runId: run.id, instance: run.instance, path: file, what: 'segment' });
    }
  }
  return missing;
}
