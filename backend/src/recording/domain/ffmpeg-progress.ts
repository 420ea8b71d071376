/**
 * FFmpeg's `-progress` output: blocks of key=value lines, each ending with `progress=continue` or
 * `progress=end`. Fed chunks as they arrive (a line may be split across two), it reports how far the
 * output is, in seconds, at every block's end.
 */
export class ProgressReader {
  private buffer = '';
  private outTime = 0;

  constructor(private readonly onProgress: (seconds: number, ended: boolean) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      // out_time_us and out_time_ms are both microseconds (a long-standing FFmpeg naming slip).
      if (key === 'out_time_us' || key === 'out_time_ms') {
        const us = Number(value);
        if (Number.isFinite(us) && us >= 0) this.outTime = us / 1e6;
      } else if (key === 'progress') {
        this.onProgress(this.outTime, value === 'end');
      }
    }
  }
}

/** A fraction 0-1 of `duration` seconds. */
export const fractionOf = (seconds: number, duration: number) =>
  duration > 0 ? Math.min(1, Math.max(0, seconds / duration)) : 0;
