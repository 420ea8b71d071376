// Simulated HLS viewers for the viewer-load bench, one process's share: each viewer keeps one keep-alive
// connection (as a browser does to one origin), loads the live playlist, starts two segments behind the
// live edge (the init segment first), then reloads the playlist every target duration and fetches the
// segments it has not got yet, one after another, as hls.js does for a live stream. Loopback only;
// bounded by --viewers and --seconds. Prints one JSON line of what it measured.
//
//   node bench/lib/hls-viewer-load.mjs --url http://127.0.0.1:PORT/hls/live.m3u8 --viewers 100 --seconds 15
import http from 'node:http';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const url = new URL(opt('url'));
if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error('loopback only');
const VIEWERS = Math.min(5000, Number(opt('viewers', 10)));
const SECONDS = Math.min(120, Number(opt('seconds', 10)));
const end = Date.now() + SECONDS * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const out = { viewers: VIEWERS, segmentMs: [], playlistMs: [], segments: 0, bytes: 0, errors: 0, errorKinds: {} };
const fail = (kind) => {
  out.errors++;
  out.errorKinds[kind] = (out.errorKinds[kind] ?? 0) + 1;
};

function get(agent, pathname) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get({ host: url.hostname, port: url.port, path: pathname, agent, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms: performance.now() - t0 }));
      res.on('error', () => resolve({ status: 0, body: Buffer.alloc(0), ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, error: e.message, body: Buffer.alloc(0), ms: performance.now() - t0 }));
  });
}

function parsePlaylist(text) {
  const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1] ?? 1);
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(text)?.[1] ?? null;
  const segments = text.split('\n').filter((l) => l && !l.startsWith('#'));
  return { target, init, segments };
}

async function viewer() {
  await sleep(Math.random() * 1000); // viewers do not arrive in lockstep
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const dir = url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1);
  const got = new Set();
  let first = true;
  try {
    while (Date.now() < end) {
      const started = Date.now();
      const pl = await get(agent, url.pathname);
      if (pl.status !== 200) {
        fail(pl.error ? 'playlist-network' : `playlist-${pl.status}`);
        await sleep(1000);
        continue;
      }
      out.playlistMs.push(pl.ms);
      const { target, init, segments } = parsePlaylist(pl.body.toString());
      const wanted = first ? segments.slice(-2) : segments.filter((s) => !got.has(s));
      if (first && init) {
        const r = await get(agent, dir + init);
        if (r.status !== 200) fail(`init-${r.status}`);
      }
      first = false;
      for (const s of wanted) {
        if (Date.now() >= end) break;
        const r = await get(agent, dir + s);
        got.add(s);
        if (r.status !== 200) fail(r.error ? 'segment-network' : `segment-${r.status}`);
        else {
          out.segmentMs.push(r.ms);
          out.segments++;
          out.bytes += r.body.length;
        }
      }
      await sleep(Math.max(0, target * 1000 - (Date.now() - started)));
    }
  } finally {
    agent.destroy();
  }
}

await Promise.all(Array.from({ length: VIEWERS }, viewer));
console.log(JSON.stringify(out));
