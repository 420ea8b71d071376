/**
 * HLS playlists with signed links: stored playlists name their variants and segments relatively
 * (`720p/index.m3u8`, `seg-00001.ts`), which a signed URL cannot follow (each file needs its own
 * signature). When a playlist is served, every URI line is replaced by what `sign` gives for the key it
 * names; `#EXT-X-…:URI="…"` attributes (keys, maps) likewise.
 */
export function rewritePlaylist(
  text: string,
  playlistKey: string,
  root: string,
  sign: (key: string) => string,
): string {
  const folder = playlistKey.includes('/') ? playlistKey.slice(0, playlistKey.lastIndexOf('/')) : '';
  const resolve = (uri: string): string | null => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')) return null; // absolute: not ours, refused
    const parts = [...(folder ? folder.split('/') : []), ...uri.split('?')[0].split('/')];
    const out: string[] = [];
    for (const p of parts) {
      if (p === '..') {
        if (!out.length) return null;
        out.pop();
      } else if (p !== '.' && p !== '') out.push(p);
    }
    const key = out.join('/');
    return key.startsWith(root) ? key : null;
  };
  return text
    .split('\n')
    .map((line) => {
      const l = line.trim();
      if (!l) return line;
      if (l.startsWith('#')) {
        return line.replace(/URI="([^"]+)"/g, (m, uri: string) => {
          const key = resolve(uri);
          return key ? `URI="${sign(key)}"` : m;
        });
      }
      const key = resolve(l);
      return key ? sign(key) : '#';
    })
    .join('\n');
}

/** Whether a key is a playlist (served rewritten) rather than a segment (served as stored). */
export const isPlaylistKey = (key: string) => key.endsWith('.m3u8');

/** A media playlist's segments: each URI with its `#EXTINF` seconds. */
export function mediaSegments(text: string): Array<{ uri: string; seconds: number }> {
  const out: Array<{ uri: string; seconds: number }> = [];
  let seconds: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const inf = /^#EXTINF:([\d.]+)/.exec(line);
    if (inf) seconds = Number(inf[1]);
    else if (line && !line.startsWith('#') && seconds !== null) {
      out.push({ uri: line, seconds });
      seconds = null;
    }
  }
  return out;
}

/**
 * A rendition's BANDWIDTH for the master playlist: its peak segment bit rate in bits a second (what the
 * HLS spec asks for), from the segments' real sizes; 1 when nothing was measured.
 */
export function peakBandwidth(segments: Array<{ seconds: number; bytes: number }>): number {
  const rates = segments.filter((s) => s.seconds > 0).map((s) => (s.bytes * 8) / s.seconds);
  return Math.max(1, Math.ceil(Math.max(0, ...rates)));
}

export interface Variant {
  /** Its folder beside the master playlist (`720p` → `720p/index.m3u8`). */
  name: string;
  width: number;
  height: number;
  bandwidth: number;
}

/** The master playlist naming each rendition, best first (hls.js starts there and adapts). */
export function masterPlaylist(variants: Variant[]): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...[...variants]
      .sort((a, b) => b.bandwidth - a.bandwidth)
      .flatMap((v) => [
        `#EXT-X-STREAM-INF:BANDWIDTH=${v.bandwidth},RESOLUTION=${v.width}x${v.height}`,
        `${v.name}/index.m3u8`,
      ]),
    '',
  ].join('\n');
}
