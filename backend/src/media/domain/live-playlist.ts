/**
 * The broadcast's public playlist, stitched from its runs (a run is one FFmpeg process; the scene
 * changing starts the next). Each run's own playlist lists its segments; the public one keeps the last
 * few segments of the whole broadcast with a discontinuity and a new init segment where a run begins,
 * and media/discontinuity sequence numbers that only grow, so a player following it never goes back.
 */
export interface BroadcastSegment {
  run: number;
  /** The segment's file name in its run's folder. */
  name: string;
  duration: number;
}

/** A run's segments as its FFmpeg lists them (file names relative to the run's folder). */
export function parseRunPlaylist(text: string): Array<{ name: string; duration: number }> {
  const out: Array<{ name: string; duration: number }> = [];
  let duration: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#') && duration !== null) {
      if (/^[A-Za-z0-9_-]{1,64}\.m4s$/.test(line) && Number.isFinite(duration)) out.push({ name: line, duration });
      duration = null;
    }
  }
  return out;
}

export const runFolder = (run: number) => `r${run}`;

/**
 * The live playlist over `all` (every segment of the broadcast so far, in order: a three-hour class at
 * one-second segments is some ten thousand small entries): its last `window` segments.
 */
export function livePlaylist(all: BroadcastSegment[], window: number, segmentSeconds: number): string {
  const start = Math.max(0, all.length - window);
  const shown = all.slice(start);
  let discontinuities = 0;
  for (let i = 1; i <= start; i++) if (all[i].run !== all[i - 1].run) discontinuities++;
  const target = Math.max(Math.ceil(segmentSeconds), ...shown.map((s) => Math.ceil(s.duration)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${target}`,
    `#EXT-X-MEDIA-SEQUENCE:${start}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuities}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  shown.forEach((s, i) => {
    if (i === 0 || s.run !== shown[i - 1].run) {
      if (i > 0) lines.push('#EXT-X-DISCONTINUITY');
      lines.push(`#EXT-X-MAP:URI="${runFolder(s.run)}/init.mp4"`);
    }
    lines.push(`#EXTINF:${s.duration.toFixed(3)},`, `${runFolder(s.run)}/${s.name}`);
  });
  return lines.join('\n') + '\n';
}
