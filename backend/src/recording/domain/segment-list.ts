/**
 * FFmpeg's CSV segment list, as capture leaves it: one line `file,start,end` per finished segment,
 * seconds from the run's first packet. A segment is listed only once FFmpeg closed it, so the list is
 * what a crash cannot take back. A torn last line (FFmpeg killed mid-write) is left out.
 */
export interface ListedSegment {
  file: string;
  start: number;
  end: number;
}

const LINE = /^([A-Za-z0-9_.-]+),(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/;

export function parseSegmentList(text: string): ListedSegment[] {
  const out: ListedSegment[] = [];
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw.trim());
    if (!m || m[1].startsWith('.')) continue;
    const start = Number(m[2]);
    const end = Number(m[3]);
    if (end >= start) out.push({ file: m[1], start, end });
  }
  return out;
}

/**
 * When a run's recording ends on the wall clock: its first packet plus its last listed segment's end.
 * A run that listed nothing ends where it started (nothing of it can be played).
 */
export function runEndedAt(startedAt: Date, segments: ListedSegment[]): Date {
  const end = segments.reduce((max, s) => Math.max(max, s.end), 0);
  return new Date(startedAt.getTime() + Math.round(end * 1000));
}
