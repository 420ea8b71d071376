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
