// Time from a student's launch to the first remote video frame on their screen, in Debian's Chromium
// with fake camera and microphone, through the dev LMS and the real mediasoup worker on loopback. The
// teacher is in class with the camera on; each run a fresh student context clicks "launch" in the dev
// LMS, enters the class, and the clock stops when the teacher's video element has a decoded frame.
// Reported per run and as the median, split into launch-to-room, room-to-media-connected and
// media-connected-to-first-frame.
//
//   node bench/media-first-frame.mjs [--runs 5]
// (`npm run bench:media` builds the backend and frontend, ensures the worker, and runs both media benches.)
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort, startPostgres, startRedis, SERVER_NODE_FLAGS } from '../scripts/services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('runs', 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function frameAt(page, prefix, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      // The frame's URL as Playwright last saw it, else (it can lag a pushState) the document's own,
      // asked for one second at most: an evaluate can wait without end on a frame between two documents.
      let where = URL.canParse(f.url()) ? new URL(f.url()).pathname : '';
      if (!where.startsWith(prefix))
        where = await Promise.race([
          f.evaluate(() => location.pathname).catch(() => ''),
          new Promise((r) => setTimeout(() => r(''), 1000)),
        ]);
      if (where.startsWith(prefix)) return f;
    }
    if (Date.now() > deadline) throw new Error(`no frame at ${prefix}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const main = path.join(root, 'dist/backend/src/main.js');
if (!fs.existsSync(main) || !fs.existsSync(path.join(root, 'dist/frontend/browser/index.html')))
  throw new Error('build the backend and frontend first (npm run bench:media does)');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-media-'));
const pgServer = await startPostgres({ dir: path.join(dir, 'pg'), port: await freePort(), persistent: false });
await pgServer.ensureDatabase('bench');
const redisServer = await startRedis({ dir: path.join(dir, 'redis'), port: await freePort(), persistent: false });
const port = await freePort();
const backend = spawn(process.execPath, [...SERVER_NODE_FLAGS, main], {
  env: {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: pgServer.url('bench'),
    REDIS_URL: redisServer.url,
    DEV_PLATFORM: 'true',
    LTI_KEY: crypto.randomBytes(24).toString('hex'),
    SESSION_SECRET: crypto.randomBytes(24).toString('hex'),
    QUEUE_PREFIX: 'bench-media',
    MEDIA_PORT: '0',
    MEDIA_WORKERS: '1',
    MEDIA_PEER_GRACE_MS: '500',
    ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const browser = await chromium.launch({
  executablePath: ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => fs.existsSync(p)),
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ],
});
try {
  for (let i = 0; i < 600; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const platform = `http://127.0.0.1:${port}/dev-platform`;
  const teacherPage = await (await browser.newContext()).newPage();
  await teacherPage.goto(`${platform}/?course=phys-101`);
  await teacherPage.click('#launch-instructor');
  await (await frameAt(teacherPage, '/lobby')).getByTestId('start-class').click();
  const teacher = await frameAt(teacherPage, '/room/');
  await teacher.locator('[data-media-state=connected]').waitFor({ state: 'attached', timeout: 30_000 });
  await teacher.getByTestId('toggle-camera').click();
  await teacher.locator('[data-testid=video-tile][data-self=true][data-has-video=true]').waitFor({ timeout: 15_000 });

  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${platform}/?course=phys-101`);
    const t0 = Date.now();
    await page.click('#launch-student');
    const lobby = await frameAt(page, '/lobby');
    await lobby.getByTestId('enter-class').click();
    const room = await frameAt(page, '/room/');
    await room.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 20_000 });
    const tRoom = Date.now();
    await room.locator('[data-media-state=connected]').waitFor({ state: 'attached', timeout: 20_000 });
    const tMedia = Date.now();
    await room.waitForFunction(
      () => {
        const v = document.querySelector('[data-testid=video-tile][data-self=false] video');
        return !!v && v.readyState >= 2 && v.videoWidth > 0;
      },
      undefined,
      { polling: 10, timeout: 20_000 },
    );
    const tFrame = Date.now();
    runs.push({
      launchToRoomMs: tRoom - t0,
      roomToMediaMs: tMedia - tRoom,
      mediaToFirstFrameMs: tFrame - tMedia,
      launchToFirstFrameMs: tFrame - t0,
    });
    console.error(
      `[media-first-frame] run ${r + 1}: ${tFrame - t0} ms (room ${tRoom - t0}, media +${tMedia - tRoom}, frame +${tFrame - tMedia})`,
    );
    await ctx.close();
    await new Promise((res) => setTimeout(res, 700));
  }
  const figures = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores`,
    runs,
    medianMs: Object.fromEntries(Object.keys(runs[0]).map((k) => [k, median(runs.map((x) => x[k]))])),
  };
  console.log(JSON.stringify(figures, null, 2));
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/media-first-frame.json'), JSON.stringify(figures, null, 2) + '\n');
} finally {
  await browser.close();
  backend.kill('SIGTERM');
  await new Promise((r) => (backend.exitCode !== null ? r() : backend.once('exit', r)));
  await redisServer.stop();
  await pgServer.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
