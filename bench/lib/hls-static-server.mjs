// Serves a live HLS folder as plain files over HTTP, with the cache headers a CDN can honour: the
// playlist for one second, segments and the init segment for a year (their names never repeat). This is
// "Node on the segment path", the case with no CDN or nginx in front; the benches measure it.
//
//   node bench/lib/hls-static-server.mjs <dir> <port>     (prints "listening <port>" when ready)
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.js': 'text/javascript',
  '.html': 'text/html; charset=utf-8',
};

/** `extra`: path -> { type, body } served as they are (the benches' viewer page and player). */
export function serveHls({ dir, port = 0, extra = {} }) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const fixed = Object.hasOwn(extra, url.pathname) ? extra[url.pathname] : null;
    if (fixed) {
      res.writeHead(200, { 'content-type': fixed.type, 'cache-control': 'no-store' });
      return res.end(fixed.body);
    }
    const name = path.basename(url.pathname);
    const ext = path.extname(name);
    if (!url.pathname.startsWith('/hls/') || !Object.hasOwn(TYPES, ext) || name.startsWith('.')) {
      res.writeHead(404).end();
      return;
    }
    const file = path.join(dir, name);
    // A segment can be deleted (it slid out of the playlist) between the request and the read: 404.
    const stream = fs.createReadStream(file);
    stream.once('error', () => {
      if (!res.headersSent) res.writeHead(404, { 'cache-control': 'no-store' }).end();
      else res.destroy();
    });
    stream.once('open', (fd) => {
      fs.fstat(fd, (err, st) => {
        if (err) return stream.destroy(err);
        res.writeHead(200, {
          'content-type': TYPES[ext],
          'content-length': st.size,
          'access-control-allow-origin': '*',
          'cache-control': ext === '.m3u8' ? 'public, max-age=1' : 'public, max-age=31536000, immutable',
        });
        stream.pipe(res);
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serveHls({ dir: process.argv[2], port: Number(process.argv[3] ?? 0) });
  console.log(`listening ${server.address().port}`);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
