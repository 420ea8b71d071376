// Glass-to-glass latency on this machine, both paths, read off decoded frames (issue 21):
//
//  webrtc: through Lectern's real join path. The dev LMS launches an instructor and a student in Debian's
//          Chromium against a built backend with the real mediasoup worker; the instructor's camera is a
//          canvas painted with the frame clock (bench/lib/frame-clock.mjs) 30 times a second; the student's
//          room shows it in the instructor's tile, and each presented frame's clock is read there
//          (requestVideoFrameCallback + canvas). Latency = expected display time - time painted, both on
//          this machine's clock. The instructor's own preview tile is read too: capture to local display,
//          with no encoder, network or SFU (the floor of the method).
//  hls-lectern: Lectern's own broadcast (backend/src/media/broadcast). The backend runs with
//          HLS_MAX_WEBRTC_VIEWERS=2, so a second learner (a custom user of the dev LMS) is sent to HLS by
//          the hand-off; the broadcast takes the instructor's clock camera from the router through FFmpeg
//          to 1 s fMP4 segments, and the room's HLS player (hls.js) shows it; its frames are read the same way.
//  hls:    a reference pipeline of the bench's own, without the room: bench/lib/hls-pipeline.mjs (clock
//          frames -> VP8 -> mediasoup router -> PlainTransport -> FFmpeg H.264 zerolatency 30 fps -> 1 s
//          fMP4 segments) served as plain files (bench/lib/hls-static-server.mjs) to hls.js in Chromium.
//
//   node bench/glass-to-glass.mjs [--frames 300] [--paths webrtc,hls-lectern,hls] [--hls-sync 2] [--no-write]
// (`npm run bench:glass` builds the backend first; the frontend must be built: npx ng build.)
// Prints the figures as JSON on stdout and writes bench/results/glass-to-glass.json unless --no-write.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort, startPostgres, startRedis, SERVER_NODE_FLAGS } from '../scripts/services.mjs';
import { percentile } from './lib/frame-clock.mjs';
import { clockInitScript, hiResClockOffset, hlsViewerPage, installReader } from './lib/g2g-pages.mjs';
import { startHlsPipeline } from './lib/hls-pipeline.mjs';
import { serveHls } from './lib/hls-static-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const FRAMES = Number(opt('frames', 300));
const PATHS = String(opt('paths', 'webrtc,hls-lectern,hls')).split(',');
const HLS_SYNC = Number(opt('hls-sync', 2));
const WRITE = !argv.includes('--no-write');
const say = (m) => console.error(`[glass-to-glass] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function summary(samples, unread) {
  const lat = samples.map((s) => s.shown - s.sent);
  const read = samples.map((s) => s.read - s.sent);
  const recv = samples.filter((s) => s.received !== null).map((s) => s.received - s.sent);
  return {
    frames: samples.length,
    unreadFrames: unread,
    // Chromium's expected display time can lag under load: frames it dates before their last packet (or
    // before they were painted) are counted here; they stay in the percentiles, readBack* bounds them.
    displayEstimateBeforeArrival: samples.filter((s) => s.shown < (s.received ?? s.sent)).length,
    p50Ms: percentile(lat, 50),
    p95Ms: percentile(lat, 95),
    minMs: percentile(lat, 0),
    maxMs: percentile(lat, 100),
    readBackP50Ms: percentile(read, 50),
    readBackP95Ms: percentile(read, 95),
    ...(recv.length
      ? { paintedToReceivedP50Ms: percentile(recv, 50), paintedToReceivedP95Ms: percentile(recv, 95) }
      : {}),
  };
}

/** Waits until the frame's reader holds `frames` samples (or the time is up); returns what it has. */
async function collect(frame, frames, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await frame.evaluate(() => new Set(window.__g2g?.samples.map((s) => s.sent)).size);
    if (n >= frames || Date.now() > deadline) break;
    await sleep(250);
  }
  return frame.evaluate((max) => {
    const seen = new Set();
    const samples = window.__g2g.samples.filter((s) => !seen.has(s.sent) && seen.add(s.sent)).slice(0, max);
    return { samples, unread: window.__g2g.unread, sizes: window.__g2g.sizes };
  }, frames);
}

async function frameAt(page, prefix, timeoutMs = 30_000) {
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
    await sleep(50);
  }
}

async function launchBrowser() {
  return chromium.launch({
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
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

async function webrtcPath(browser, tmp) {
  const main = path.join(root, 'dist/backend/src/main.js');
  if (!fs.existsSync(main) || !fs.existsSync(path.join(root, 'dist/frontend/browser/index.html')))
    throw new Error('build the backend and frontend first (npm run -s build:backend; npx ng build)');
  say('Chromium up; starting PostgreSQL, Redis and the backend');
  const pgServer = await startPostgres({ dir: path.join(tmp, 'pg'), port: await freePort(), persistent: false });
  await pgServer.ensureDatabase('bench');
  const redisServer = await startRedis({ dir: path.join(tmp, 'redis'), port: await freePort(), persistent: false });
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
      QUEUE_PREFIX: 'bench-g2g',
      MEDIA_PORT: '0',
      MEDIA_WORKERS: '1',
      // Two people on WebRTC per class (the instructor counts), so the second learner is sent to the
      // class's HLS broadcast (it starts then: nothing is broadcast while the WebRTC path is measured);
      // never by CPU (this shared machine's load must not decide who goes where).
      HLS_MAX_WEBRTC_VIEWERS: '2',
      HLS_CPU_HIGH: '1',
      HLS_DIR: path.join(tmp, 'lectern-hls'),
      ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    let healthy = false;
    for (let i = 0; i < 600 && !healthy; i++) {
      healthy = !!(await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok;
      if (!healthy) await sleep(100);
    }
    if (!healthy) throw new Error('the backend did not answer /api/health');
    say('backend up; the instructor launches and starts the class');
    const platform = `http://127.0.0.1:${port}/dev-platform`;
    const teacherCtx = await browser.newContext();
    await teacherCtx.addInitScript({ content: clockInitScript({ camera: true }) });
    const teacherPage = await teacherCtx.newPage();
    await teacherPage.goto(`${platform}/?course=phys-101`);
    await teacherPage.click('#launch-instructor');
    await (await frameAt(teacherPage, '/lobby')).getByTestId('start-class').click();
    const teacher = await frameAt(teacherPage, '/room/');
    await teacher.locator('[data-media-state=connected]').waitFor({ state: 'attached', timeout: 30_000 });
    await teacher.getByTestId('toggle-camera').click();
    await teacher.locator('[data-testid=video-tile][data-self=true][data-has-video=true]').waitFor({ timeout: 20_000 });

    say('instructor on camera; the student launches');
    const studentCtx = await browser.newContext();
    await studentCtx.addInitScript({ content: clockInitScript({ camera: false }) });
    const studentPage = await studentCtx.newPage();
    await studentPage.goto(`${platform}/?course=phys-101`);
    await studentPage.click('#launch-student');
    await (await frameAt(studentPage, '/lobby')).getByTestId('enter-class').click();
    const student = await frameAt(studentPage, '/room/');
    const remote = '[data-testid=video-tile][data-self=false][data-has-video=true] video';
    await student.locator(remote).waitFor({ state: 'attached', timeout: 30_000 });
    say('student sees the instructor; reading frames');
    const offsets = {
      sender: await teacher.evaluate(hiResClockOffset),
      receiver: await student.evaluate(hiResClockOffset),
    };
    // The first 3 s are start-up (bandwidth estimate ramping, simulcast layer switches): not kept.
    await student.evaluate(installReader, { selector: remote, skipMs: 3000 });
    await teacher.evaluate(installReader, {
      selector: '[data-testid=video-tile][data-self=true] video',
      skipMs: 3000,
    });
    const timeout = (FRAMES / 30) * 3000 + 30_000;
    const [viaSfu, local] = await Promise.all([collect(student, FRAMES, timeout), collect(teacher, FRAMES, timeout)]);
    await student.evaluate(() => delete window.__g2g);
    const lecternHls = PATHS.includes('hls-lectern') ? await lecternHlsViewer(browser, platform, teacher) : null;
    return {
      lecternHls,
      how: 'dev LMS launch of an instructor (canvas clock camera) and a student, Lectern backend + mediasoup worker, one Chromium',
      viaSfu: { ...summary(viaSfu.samples, viaSfu.unread), sizes: viaSfu.sizes },
      localPreview: summary(local.samples, local.unread),
      clockOffsetsMs: offsets,
    };
  } finally {
    backend.kill('SIGTERM');
    await new Promise((r) => (backend.exitCode !== null ? r() : backend.once('exit', r)));
    await redisServer.stop();
    await pgServer.stop();
  }
}

/** A second learner, sent to the class's HLS broadcast by Lectern's hand-off; reads its HLS player. */
async function lecternHlsViewer(browser, platform, teacher) {
  const ctx = await browser.newContext();
  await ctx.addInitScript({ content: clockInitScript({ camera: false }) });
  const page = await ctx.newPage();
  await page.goto(`${platform}/?course=phys-101`);
  await page.fill('#custom-form input[name=name]', 'Hedy Lamarr');
  await page.click('#custom-form button');
  await (await frameAt(page, '/lobby')).getByTestId('enter-class').click();
  const room = await frameAt(page, '/room/');
  const video = '[data-testid=hls-video]';
  await room.locator(video).waitFor({ state: 'attached', timeout: 30_000 });
  await room.waitForFunction((sel) => document.querySelector(sel)?.currentTime > 0, video, { timeout: 60_000 });
  say("the second learner plays Lectern's HLS broadcast; reading frames");
  const offsets = { sender: await teacher.evaluate(hiResClockOffset), receiver: await room.evaluate(hiResClockOffset) };
  await room.evaluate(installReader, { selector: video, skipMs: 6000 });
  // Lectern broadcasts 15 frames a second (BROADCAST_FPS).
  const got = await collect(room, FRAMES, (FRAMES / 15) * 3000 + 40_000);
  return {
    how: "Lectern's broadcast (media/broadcast: the instructor's camera from the router through FFmpeg to HLS) played by the room's HLS player (hls.js), a learner sent there by the hand-off (HLS_MAX_WEBRTC_VIEWERS=2: the instructor and the first learner on WebRTC)",
    ...summary(got.samples, got.unread),
    sizes: got.sizes,
    clockOffsetsMs: offsets,
  };
}

async function hlsPath(browser, tmp) {
  const pipeline = await startHlsPipeline({ root, dir: path.join(tmp, 'hls'), log: say });
  const server = await serveHls({
    dir: pipeline.dir,
    extra: {
      '/': {
        type: 'text/html; charset=utf-8',
        body: hlsViewerPage({ playlist: '/hls/live.m3u8', syncCount: HLS_SYNC }),
      },
      '/hls.js': {
        type: 'text/javascript',
        body: fs.readFileSync(path.join(root, 'node_modules/hls.js/dist/hls.min.js')),
      },
    },
  });
  try {
    const ctx = await browser.newContext();
    await ctx.addInitScript({ content: clockInitScript({ camera: false }) });
    const page = await ctx.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => document.getElementById('v').currentTime > 0, undefined, { timeout: 30_000 });
    say('HLS viewer is playing; reading frames');
    const offsets = { sender: hiResClockOffset(), receiver: await page.evaluate(hiResClockOffset) };
    // The first 6 s are start-up (hls.js seeks to the live edge and settles its playback rate): not kept.
    await page.evaluate(installReader, { selector: '#v', skipMs: 6000 });
    const got = await collect(page.mainFrame(), FRAMES, (FRAMES / 30) * 3000 + 40_000);
    const hlsJsLatency = await page.evaluate(() => window.__hls.latency);
    const playlist = fs.readFileSync(pipeline.playlist, 'utf8');
    return {
      how: 'bench pipeline: clock frames -> FFmpeg VP8 -> mediasoup router -> PlainTransport -> FFmpeg libx264 veryfast zerolatency -> 1 s fMP4 HLS segments -> Node static server -> hls.js in Chromium',
      hlsJs: { liveSyncDurationCount: HLS_SYNC, reportedLatencyS: +hlsJsLatency.toFixed(2) },
      targetDuration: Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(playlist)?.[1]),
      ...summary(got.samples, got.unread),
      sizes: got.sizes,
      camera: pipeline.stats,
      clockOffsetsMs: offsets,
    };
  } finally {
    server.close();
    await pipeline.close();
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-g2g-'));
const browser = await launchBrowser();
const figures = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model}`,
  loadAverageAtStart: os.loadavg().map((x) => +x.toFixed(2)),
  framesPerPath: FRAMES,
};
try {
  if (PATHS.includes('webrtc') || PATHS.includes('hls-lectern')) {
    const { lecternHls, ...webrtc } = await webrtcPath(browser, tmp);
    figures.webrtc = webrtc;
    say(`webrtc: p50 ${figures.webrtc.viaSfu.p50Ms} ms, p95 ${figures.webrtc.viaSfu.p95Ms} ms`);
    if (lecternHls) {
      figures.hlsLectern = lecternHls;
      say(`Lectern's HLS broadcast: p50 ${lecternHls.p50Ms} ms, p95 ${lecternHls.p95Ms} ms`);
    }
  }
  if (PATHS.includes('hls')) {
    figures.hls = await hlsPath(browser, tmp);
    say(`hls: p50 ${figures.hls.p50Ms} ms, p95 ${figures.hls.p95Ms} ms`);
  }
  figures.loadAverageAtEnd = os.loadavg().map((x) => +x.toFixed(2));
  console.log(JSON.stringify(figures, null, 2));
  if (WRITE) {
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bench/results/glass-to-glass.json'), JSON.stringify(figures, null, 2) + '\n');
  }
} finally {
  await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
