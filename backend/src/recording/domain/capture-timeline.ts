/**
 * What the live capture left for one class, placed on the recording's own clock. Capture writes one
 * folder per FFmpeg run of a producer (Matroska segments of about two seconds and FFmpeg's CSV segment
 * list, lines `file,start,end`); a run's `startedAt` is the wall clock of its first packet. The time
 * between two runs of one producer is a gap: nothing is invented for it (silence, no picture).
 */

import type { ListedSegment } from './segment-list';

export type TrackKind = 'video' | 'audio' | 'screen';

/** A finished segment of a run (read with segment-list.ts, the capture's own parser). */
export type CaptureSegment = ListedSegment;

/** One row of `recording_track`, with its segment list read. */
export interface CaptureRunInput {
  id: string;
  kind: TrackKind;
  role: string;
  userId: string | null;
  startedAt: Date;
  /** The segment list's path, relative to RECORDING_DIR. */
  playlist: string;
  segments: CaptureSegment[];
}

/** A run placed on the recording's clock (seconds from the recording's start). */
export interface PlacedRun {
  id: string;
  kind: TrackKind;
  role: string;
  userId: string | null;
  /** The folder of its segments, relative to RECORDING_DIR. */
  folder: string;
  files: string[];
  offset: number;
  duration: number;
}

export interface RecordingTimeline {
  /** Wall clock of the recording's second 0. */
  origin: Date;
  /** Seconds. */
  duration: number;
  /** The teacher's camera runs, the screen-share runs, every audio run (teacher's and students'). */
  camera: PlacedRun[];
  screen: PlacedRun[];
  audio: PlacedRun[];
}

const folderOf = (playlist: string) => (playlist.includes('/') ? playlist.slice(0, playlist.lastIndexOf('/')) : '.');

/**
 * Places every run with segments on one clock that starts at `origin` and lasts until `end` (the class's
 * recording start and stop). A run's offset is its first packet's wall clock minus the origin; its
 * duration is its last segment's end. Runs with no finished segment are left out. The teacher's camera
 * is the recording's camera; screen shares are any presenter's; every audio run is mixed.
 */
export function placeRuns(runs: CaptureRunInput[], origin: Date, end: Date): RecordingTimeline {
  const duration = Math.max(0, (end.getTime() - origin.getTime()) / 1000);
  const placed = runs
    .filter((r) => r.segments.length > 0)
    .map<PlacedRun>((r) => ({
      id: r.id,
      kind: r.kind,
      role: r.role,
      userId: r.userId,
      folder: folderOf(r.playlist),
      files: r.segments.map((s) => s.file),
      offset: round3((r.startedAt.getTime() - origin.getTime()) / 1000),
      duration: round3(r.segments[r.segments.length - 1].end),
    }))
    .filter((r) => r.offset < duration && r.offset + r.duration > 0)
    .sort((a, b) => a.offset - b.offset || a.id.localeCompare(b.id));
  return {
    origin,
    duration: round3(duration),
    camera: placed.filter((r) => r.kind === 'video' && r.role === 'teacher'),
    screen: placed.filter((r) => r.kind === 'screen'),
    audio: placed.filter((r) => r.kind === 'audio'),
  };
}

/**
 * The concat demuxer's list of one run (`ffconcat version 1.0`, one `file` line a segment). Segment names
 * come from FFmpeg's own list and were checked by parseSegmentList, so quoting is enough.
 */
export function concatList(folderPath: string, files: string[]): string {
  const quote = (p: string) => `'${p.replace(/'/g, "'\\''")}'`;
  return ['ffconcat version 1.0', ...files.map((f) => `file ${quote(`${folderPath}/${f}`)}`), ''].join('\n');
}

/** Seconds with millisecond precision (what FFmpeg's arguments and the specs carry). */
export const round3 = (s: number) => Math.round(s * 1000) / 1000;

/**
 * The instructor's pauses as [from, to] seconds on the recording's clock (a pause not resumed lasts to
 * the end). Nothing of the board is shown in them: a pause means "not recorded".
 */
export function pausedIntervals(
  marks: Array<{ at: Date; kind: string }>,
  origin: Date,
  duration: number,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from: number | null = null;
  const t = (d: Date) => Math.min(duration, Math.max(0, round3((d.getTime() - origin.getTime()) / 1000)));
  for (const m of [...marks].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (m.kind === 'pause' && from === null) from = t(m.at);
    else if (m.kind === 'resume' && from !== null) {
      if (t(m.at) > from) out.push([from, t(m.at)]);
      from = null;
    }
  }
  if (from !== null && duration > from) out.push([from, duration]);
  return out;
}
