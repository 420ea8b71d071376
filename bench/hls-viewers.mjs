// How many HLS viewers one 2-core box serves, and what moving viewers from WebRTC to HLS saves the SFU
// (issue 21), on this machine with the real mediasoup worker:
//
//  1. SFU side: a live VP8 camera (640x360, 30 fps, ~800 kbit/s) into a router; the worker's CPU (from
//     /proc) with 0, then N WebRTC-like consumers (PlainTransports with SRTP, as bench/media-sfu.mjs
//     drives them: the worker encrypts and sends each packet once per consumer, as for a browser), while
//     the HLS path costs the worker one consumer whatever the audience.
//     By default one batch of 100 consumers: at a load average of 30-50, three runs that made a second
//     batch after measuring the first (101-200, and once 51-100) waited on the worker for minutes and
//     were stopped (not understood; bench/media-sfu.mjs steps to 400 on a quieter machine).
//     The HLS packager's CPU (bench/lib/hls-pipeline.mjs: router -> PlainTransport -> FFmpeg H.264 ->
//     1 s fMP4 segments) is read at the same time: the fixed cost of a broadcast.
//  2. HLS side: a live playlist of 1 s H.264 fMP4 segments at 1 Mbit/s, replayed from pre-encoded
//     segments (bench/lib/hls-replay.mjs: a live encoder starves on this shared machine and would stall
//     the stream), served by bench/lib/hls-static-server.mjs in a process of its own (Node on the
//     segment path: no CDN or nginx in front; nginx is not installed here). Simulated viewers
//     (bench/lib/hls-viewer-load.mjs, in --client-procs processes) poll the playlist every target
//     duration and fetch new segments as hls.js does. Per step: segment fetch p50/p99, fetches slower
//     than a segment lasts (a player would stall), errors, and the server's CPU.
//
// The viewers' processes run on the same 2 cores as the server, the packager and the worker, so the
// viewer count where fetches slow down is a floor for a box that only serves; the server's CPU per 100
// viewers is the figure to scale from.
//
//   node bench/hls-viewers.mjs [--steps 100,250,500,1000,2000] [--seconds 15] [--client-procs 2]
//                              [--sfu-consumers 100] [--no-write]
//                              [--url http://127.0.0.1:PORT/…/live.m3u8 --server-pid PID]
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from './lib/frame-clock.mjs';
import { startHlsPipeline } from './lib/hls-pipeline.mjs';
import { startHlsReplay } from './lib/hls-replay.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const STEPS = String(opt('steps', '100,250,500,1000,2000')).split(',').map(Number);
const SECONDS = Number(opt('seconds', 15));
const CLIENT_PROCS = Number(opt('client-procs', 2));
const SFU_STEPS = String(opt('sfu-consumers', '100')).split(',').map(Number);
const WRITE = !argv.includes('--no-write');
// Another server's live playlist instead of the bench's (e.g. Lectern's broadcast), on loopback; with
// --server-pid its CPU is read too.
const EXTERNAL_URL = opt('url', null);
const EXTERNAL_PID = Number(opt('server-pid', 0));
if (EXTERNAL_URL && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(EXTERNAL_URL))
  throw new Error('--url: loopback only');
const say = (m) => console.error(`[hls-viewers] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => os.loadavg().map((x) => +x.toFixed(2));

function cpuTicks(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, clock ticks (100 a second)
}
/** CPU of each pid over the promise's lifetime, as a fraction of one core. */
async function cpuDuring(pids, promise) {
  const t0 = performance.now();
  const a = pids.map(cpuTicks);
  const result = await promise;
  const s = (performance.now() - t0) / 1000;
  return { result, cpu: pids.map((p, i) => +((cpuTicks(p) - a[i]) / 100 / s).toFixed(3)) };
}

async function sfuSide(pipeline) {
  // The consumers send to a loopback port nobody listens on (the kernel drops the packets): a Node
  // socket reading ~100 packets a second per consumer starved this process at a load of 30 and stalled
  // the run. Packets sent are read from a consumer's own statistics instead.
  const sink = dgram.createSocket('udp4');
  await new Promise((r) => sink.bind(0, '127.0.0.1', r));
  const sinkPort = sink.address().port;
  sink.close();
  const sentByFirst = async () => {
    const c = consumers[0];
    if (!c) return 0;
    return (await c.getStats()).find((x) => x.type === 'outbound-rtp')?.packetCount ?? 0;
  };
  const consumers = [];
  const transports = [];
  const steps = [];
  try {
    for (const n of [0, ...SFU_STEPS]) {
      while (transports.length < n) {
        const t = await pipeline.router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
          rtcpMux: true,
          enableSrtp: true,
          srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
        });
        await t.connect({
          ip: '127.0.0.1',
          port: sinkPort,
          srtpParameters: {
            cryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
            keyBase64: crypto.randomBytes(30).toString('base64'),
          },
        });
        consumers.push(
          await t.consume({
            producerId: pipeline.producer.id,
            rtpCapabilities: pipeline.router.rtpCapabilities,
            paused: false,
          }),
        );
        transports.push(t);
      }
      say(`SFU: ${n} consumers made, measuring`);
      await sleep(1500);
      const before = await sentByFirst();
      const { cpu } = await cpuDuring([pipeline.pids.worker, pipeline.pids.packager], sleep(5000));
      const packets = ((await sentByFirst()) - before) * n;
      steps.push({
        webrtcConsumers: n,
        workerCpuOfOneCore: cpu[0],
        packagerCpuOfOneCore: cpu[1],
        // What the worker sent the consumers: under load the camera may send less than 30 fps.
        packetsOutPerSecond: Math.round(packets / 5),
        cameraBitrate: await pipeline.producerBitrate(),
        loadAverage: load(),
      });
      say(`SFU: ${n} WebRTC consumers + the HLS one: worker ${(cpu[0] * 100).toFixed(1)}% of a core`);
    }
  } finally {
    for (const t of transports) t.close();
  }
  const last = steps.at(-1);
  // Under load the camera sends fewer packets than it would; the worker's cost is per packet sent, so
  // the per-100-viewers figure is also given at the camera's nominal rate: 800 kbit/s at 30 fps in
  // packets of at most 1200 bytes is about 3 packets a frame, 95 a second.
  const perPacket = (last.workerCpuOfOneCore - steps[0].workerCpuOfOneCore) / last.packetsOutPerSecond;
  const nominalPps = 95;
  return {
    steps,
    workerCpuPer1000PacketsPerSecond: +(perPacket * 1000).toFixed(4),
    workerCpuPer100WebrtcViewersAtNominalRate: +(perPacket * nominalPps * 100).toFixed(3),
    nominalPacketsPerSecondPerViewer: nominalPps,
    workerCpuPer100WebrtcViewers: +(
      ((last.workerCpuOfOneCore - steps[0].workerCpuOfOneCore) / last.webrtcConsumers) *
      100
    ).toFixed(3),
    packagerCpuOfOneCore: +(steps.reduce((s, x) => s + x.packagerCpuOfOneCore, 0) / steps.length).toFixed(3),
  };
}

function runClients(url, viewers) {
  const per = Array.from(
    { length: CLIENT_PROCS },
    (_, i) => Math.floor(viewers / CLIENT_PROCS) + (i < viewers % CLIENT_PROCS ? 1 : 0),
  );
  return Promise.all(
    per
      .filter((n) => n > 0)
      .map(
        (n) =>
          new Promise((resolve, reject) => {
            const c = spawn(
              process.execPath,
              [
                path.join(root, 'bench/lib/hls-viewer-load.mjs'),
                '--url',
                url,
                '--viewers',
                String(n),
                '--seconds',
                String(SECONDS),
              ],
              { stdio: ['ignore', 'pipe', 'inherit'] },
            );
            let out = '';
            c.stdout.on('data', (d) => (out += d));
            c.once('exit', (code) =>
              code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`viewer process exited ${code}`)),
            );
          }),
      ),
  );
}

async function hlsSide() {
  if (EXTERNAL_URL) return viewerSteps(EXTERNAL_URL, EXTERNAL_PID || null);
  const replay = await startHlsReplay({ dir: path.join(tmp, 'replay'), log: say });
  const server = spawn(process.execPath, [path.join(root, 'bench/lib/hls-static-server.mjs'), replay.dir, '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      server.stdout.on('data', (d) => {
        const m = /listening (\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      });
      server.once('exit', () => reject(new Error('the static server exited')));
    });
    return {
      segmentKbit: replay.segmentKbit,
      ...(await viewerSteps(`http://127.0.0.1:${port}/hls/live.m3u8`, server.pid)),
    };
  } finally {
    replay.close();
    server.kill('SIGTERM');
  }
}

async function viewerSteps(url, serverPid) {
  const steps = [];
  for (const viewers of STEPS) {
    const { result, cpu } = await cpuDuring(serverPid ? [serverPid] : [], runClients(url, viewers));
    const seg = result.flatMap((r) => r.segmentMs);
    const pl = result.flatMap((r) => r.playlistMs);
    const errors = result.reduce((s, r) => s + r.errors, 0);
    const kinds = {};
    for (const r of result) for (const [k, v] of Object.entries(r.errorKinds)) kinds[k] = (kinds[k] ?? 0) + v;
    const bytes = result.reduce((s, r) => s + r.bytes, 0);
    const step = {
      viewers,
      segmentsFetched: seg.length,
      segmentFetchP50Ms: percentile(seg, 50),
      segmentFetchP99Ms: percentile(seg, 99),
      segmentFetchesOverOneSegmentDuration: seg.filter((ms) => ms > 1000).length,
      playlistFetchP99Ms: percentile(pl, 99),
      errors,
      errorKinds: kinds,
      servedMbitPerSecond: +((bytes * 8) / 1e6 / SECONDS).toFixed(1),
      perViewerKbitPerSecond: Math.round((bytes * 8) / 1e3 / SECONDS / viewers),
      serverCpuOfOneCore: serverPid ? cpu[0] : null,
      loadAverage: load(),
    };
    steps.push(step);
    say(
      `HLS: ${viewers} viewers: segment fetch p50 ${step.segmentFetchP50Ms} ms, p99 ${step.segmentFetchP99Ms} ms, ` +
        `${step.segmentFetchesOverOneSegmentDuration} over 1 s, ${errors} errors, server ${((cpu[0] ?? 0) * 100).toFixed(0)}% of a core, load ${step.loadAverage[0]}`,
    );
    await sleep(2000);
  }
  return {
    url:
      EXTERNAL_URL ??
      'loopback, Node static server process (bench/lib/hls-static-server.mjs), live playlist replayed from pre-encoded segments (bench/lib/hls-replay.mjs)',
    secondsPerStep: SECONDS,
    clientProcesses: CLIENT_PROCS,
    steps,
  };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-hls-viewers-'));
const figures = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model}`,
  loadAverageAtStart: load(),
};
const pipeline = await startHlsPipeline({ root, dir: path.join(tmp, 'hls'), log: say });
// Bounded in time whatever happens (a starved worker once left a run waiting 13 minutes).
const LIMIT_S = Number(opt('limit-seconds', 900));
const watchdog = setTimeout(async () => {
  say(`gave up after ${LIMIT_S} s`);
  await pipeline.close();
  process.exit(3);
}, LIMIT_S * 1000);
watchdog.unref();
try {
  figures.cameraBitrate = await pipeline.producerBitrate();
  figures.sfu = await sfuSide(pipeline);
  await pipeline.close(); // the viewer load runs without the live encoders (see bench/lib/hls-replay.mjs)
  figures.hls = await hlsSide();
  // Serving CPU per 100 viewers, from the largest step with no fetch slower than a segment.
  const healthy = figures.hls.steps.filter(
    (s) =>
      s.segmentsFetched > 0 &&
      s.errors <= s.segmentsFetched / 100 &&
      s.segmentFetchesOverOneSegmentDuration <= s.segmentsFetched / 100,
  );
  const ref = healthy.at(-1) ?? figures.hls.steps[0];
  const servePer100 =
    ref.serverCpuOfOneCore === null ? null : +((ref.serverCpuOfOneCore / ref.viewers) * 100).toFixed(3);
  figures.summary = {
    largestStepServedCleanly: healthy.at(-1)?.viewers ?? 0,
    caseStudyLecture: 2000,
    workerCpuPer100WebrtcViewers: figures.sfu.workerCpuPer100WebrtcViewers,
    serverCpuPer100HlsViewers: servePer100,
    sfuCpuSavedPer100ViewersMovedToHls: figures.sfu.workerCpuPer100WebrtcViewers,
    sfuCpuSavedPer100ViewersAtNominalRate: figures.sfu.workerCpuPer100WebrtcViewersAtNominalRate,
    netCpuSavedPer100WhenNodeServesSegments:
      servePer100 === null ? null : +(figures.sfu.workerCpuPer100WebrtcViewers - servePer100).toFixed(3),
    hlsFixedCostPerBroadcast: { packagerCpuOfOneCore: figures.sfu.packagerCpuOfOneCore, workerConsumers: 1 },
    note: 'CPU as fractions of one core; the worker and the static server each use one core at most',
  };
  figures.loadAverageAtEnd = load();
  console.log(JSON.stringify(figures, null, 2));
  if (WRITE) {
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bench/results/hls-viewers.json'), JSON.stringify(figures, null, 2) + '\n');
  }
} finally {
  clearTimeout(watchdog);
  await pipeline.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
