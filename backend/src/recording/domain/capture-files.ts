/**
 * The capture files a recording job needs, against what its host's RECORDING_DIR holds. Capture writes
 * each run's folder (`<class>/<run>/`: capture.sdp, segments, list.csv) under RECORDING_DIR on the media
 * host that carried the producer; the job reads them under RECORDING_DIR on whichever host runs it. When
 * media hosts are separate machines, RECORDING_DIR must be one storage they all mount: a run listed in
 * Postgres whose folder or listed segments are absent here is that mistake (or lost storage), and the job
 * says so by name instead of leaving the run out or failing inside FFmpeg.
 */
export interface MissingCaptureFile {
  runId: string;
  /** The backend instance that captured the run (recording_track.instance), when known. */
  instance: string | null;
  /** Relative to RECORDING_DIR. */
  path: string;
  what: 'run folder' | 'segment';
}

/** Raised by the composite job (shown to instructors as the try's reason; retried, then failed). */
export class CaptureFilesMissing extends Error {
  constructor(
    readonly missing: MissingCaptureFile[],
    message: string,
  ) {
    super(message);
    this.name = 'CaptureFilesMissing';
  }
}

/** The message naming RECORDING_DIR, this host, how many runs lack files, and the first few paths. */
export function captureFilesMissingMessage(
  recordingDir: string,
  host: string,
  missing: readonly MissingCaptureFile[],
  runCount: number,
): string {
  const runs = new Set(missing.map((m) => m.runId)).size;
  const examples = missing
    .slice(0, 3)
    .map((m) => `${m.what} ${m.path}${m.instance ? ` (captured by ${m.instance})` : ''}`)
    .join('; ');
  return (
    `capture files missing from RECORDING_DIR (${recordingDir}) on host ${host}: ${runs} of ${runCount} ` +
    `capture runs, ${missing.length} files: ${examples}${missing.length > 3 ? '; …' : ''}. ` +
    'RECORDING_DIR must be one storage shared by every instance that hosts media and every instance that ' +
    'runs recording jobs (see README, Configuration)'
  );
}
