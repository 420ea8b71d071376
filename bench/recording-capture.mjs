// What live recording capture costs the machine hosting a class, with the real mediasoup worker, real
// FFmpeg and Lectern's own capture code (dist/backend/src/recording/capture, built by build:backend).
//
// A class's media is stood in for by FFmpeg processes sending pre-encoded streams by stream copy (so
// the senders cost little): V video producers (VP8 640x360 ~500 kbit/s, a key frame a second, like a
// camera or a screen) and A audio producers (Opus 32 kbit/s, like microphones), each into a
// PlainTransport producer of one router. Then, for the same duration each:
//   1. without recording: the CPU of the worker and of this Node process (which plays the backend);
//   2. with recording: every producer captured as Lectern does (ProducerCapture: a PlainTransport and
//      a consumer per producer, an FFmpeg per producer copying into 2 s Matroska segments); the CPU of
//      the worker, of this process, and of the capture FFmpeg processes, and the bytes written.
// The run rows go to an in-memory store (no Postgres here: the rows are a few inserts per run).
//
//   node bench/recording-capture.mjs [--video 2] [--audio 10] [--seconds 20] [--hold S]
// Needs MEDIASOUP_WORKER_BIN (or the mediasoup package's prebuilt worker) and `npm run build:backend`.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const mediasoup = require('mediasoup');
const dist = (p) => require(path.join(root, 'dist/backend/src', p));
const { routerCodecs } = dist('media/domain/codecs.js');
const { ProducerCapture } = dist('recording/capture/producer-capture.js');
const { writeLauncher } = dist('recording/capture/ffmpeg-process.js');
const { DEFAULT_RESTART } = dist('recording/domain/capture-policy.js');

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const VIDEO = arg('video', 2);
const AUDIO = arg('audio', 10);
const SECONDS = arg('seconds', 20);
// --hold S: start the captures, keep them running S seconds (for another benchmark to run beside them), and stop; nothing measured.
const HOLD = arg('hold', 0);
const HZ = 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process, in seconds (0 when it is gone). */
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / HZ;
  } catch {
    return 0;
  }
}
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const dirBytes = (dir) => {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size;
  return n;
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-rec-bench-'));
console.log(`[bench] encoding the source clips once (${work})`);
execFileSync('ffmpeg', [
  ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=10'],
  ...['-c:v', 'libvpx', '-b:v', '500k', '-deadline', 'realtime', '-cpu-used', '8', '-g', '30'],
  path.join(work, 'video.webm'),
]);
execFileSync('ffmpeg', [
  ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000:duration=10'],
  ...['-c:a', 'libopus', '-b:a', '32k', '-ac', '2'],
  path.join(work, 'audio.webm'),
]);

const worker = await mediasoup.createWorker({
  logLevel: 'error',
  ...(process.env.MEDIASOUP_WORKER_BIN ? { workerBin: process.env.MEDIASOUP_WORKER_BIN } : {}),
});
const router = await worker.createRouter({ mediaCodecs: routerCodecs });
const senders = [];
const producers = [];
for (let i = 0; i < VIDEO + AUDIO; i++) {
  const video = i < VIDEO;
  const t = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    comedia: true,
    rtcpMux: true,
  });
  const ssrc = 10000 + i;
  const pt = video ? 101 : 100;
  producers.push(
    await t.produce({
      kind: video ? 'video' : 'audio',
      rtpParameters: {
        codecs: [
          video
            ? { mimeType: 'video/VP8', payloadType: pt, clockRate: 90000 }
            : { mimeType: 'audio/opus', payloadType: pt, clockRate: 48000, channels: 2 },
        ],
        encodings: [{ ssrc }],
      },
    }),
  );
  senders.push(
    spawn(
      'ffmpeg',
      [
        ...['-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1'],
        ...['-i', path.join(work, video ? 'video.webm' : 'audio.webm'), '-c', 'copy'],
        ...['-f', 'rtp', '-ssrc', String(ssrc), '-payload_type', String(pt)],
        `rtp://127.0.0.1:${t.tuple.localPort}?pkt_size=1200`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    ),
  );
}
await sleep(3000);

async function measure(label, capturePids = () => []) {
  const w0 = cpuSeconds(worker.pid);
  const s0 = selfCpu();
  const pids = capturePids();
  const f0 = pids.map(cpuSeconds);
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const secs = (performance.now() - t0) / 1000;
  const share = (a, b) => +((b - a) / secs).toFixed(4);
  const ffmpeg = pids.reduce((sum, pid, i) => sum + (cpuSeconds(pid) - f0[i]), 0) / secs;
  const r = {
    label,
    seconds: +secs.toFixed(1),
    workerCpu: share(w0, cpuSeconds(worker.pid)),
    nodeCpu: share(s0, selfCpu()),
    captureFfmpegCpu: +ffmpeg.toFixed(4),
  };
  console.log(`[bench] ${JSON.stringify(r)}`);
  return r;
}

const without = await measure('without recording');
const dir = path.join(work, 'recordings');
fs.mkdirSync(dir);
const runs = [];
const settings = {
  dir,
  launcher: await writeLauncher(dir, 'ffmpeg'),
  segmentSeconds: 2,
  instance: 'bench',
  restart: DEFAULT_RESTART,
  runs: {
    openRun: async (r) => void runs.push(r),
    endRun: async () => true,
    mark: async () => undefined,
  },
  warn: (m) => console.log(`[capture] ${m}`),
};
const captures = producers.map(
  (producer, i) =>
    new ProducerCapture(
      {
        sessionId: 'bench',
        router,
        producer,
        kind: producer.kind === 'video' ? (i === 0 ? 'video' : 'screen') : 'audio',
        role: i === 0 ? 'teacher' : 'student',
        userId: `u${i}`,
        name: `person ${i}`,
      },
      settings,
      false,
    ),
);
const start = performance.now();
while (runs.length < captures.length && performance.now() - start < 20_000) await sleep(100);
const startupMs = Math.round(performance.now() - start);
await sleep(3000);
const bytes0 = dirBytes(dir);
if (HOLD > 0) {
  console.log(`[bench] ${captures.length} captures running; holding them ${HOLD} s`);
  await sleep(HOLD * 1000);
  await Promise.all(captures.map((c) => c.stop('shutdown')));
  for (const s of senders) s.kill('SIGKILL');
  worker.close();
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
const withRec = await measure('with recording', () => captures.map((c) => c.pid).filter(Boolean));
const bytesPerSecond = Math.round((dirBytes(dir) - bytes0) / withRec.seconds);
await Promise.all(captures.map((c) => c.stop('shutdown')));
for (const s of senders) s.kill('SIGKILL');
worker.close();

const result = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join('/')}`,
  streams: { video: VIDEO, audio: AUDIO },
  secondsEach: SECONDS,
  runsStarted: runs.length,
  allCapturesRunningAfterMs: startupMs,
  without,
  with: withRec,
  captureCostShareOfOneCore: {
    worker: +(withRec.workerCpu - without.workerCpu).toFixed(4),
    node: +(withRec.nodeCpu - without.nodeCpu).toFixed(4),
    ffmpeg: withRec.captureFfmpegCpu,
    total: +(
      withRec.workerCpu -
      without.workerCpu +
      withRec.nodeCpu -
      without.nodeCpu +
      withRec.captureFfmpegCpu
    ).toFixed(4),
    ffmpegPerStream: +(withRec.captureFfmpegCpu / (VIDEO + AUDIO)).toFixed(4),
  },
  diskWriteBytesPerSecond: bytesPerSecond,
};
console.log(JSON.stringify(result, null, 2));
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/recording-capture.json'), JSON.stringify(result, null, 2) + '\n');
fs.rmSync(work, { recursive: true, force: true });
process.exit(0);
