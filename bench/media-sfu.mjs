// SFU figures on this machine, with the real mediasoup worker and the router codecs Lectern uses:
//
//  1. Forwarding latency added by the SFU on loopback: RTP packets (Opus payload type, 50 per second)
//     stamped with their send time go from a UDP socket into a PlainTransport producer and come back
//     out of a consumer's PlainTransport to another UDP socket; the same packets sent socket to socket
//     directly give the loopback baseline. Reported: both, and the difference (what the SFU adds).
//  2. Consumers per worker before its CPU saturates: FFmpeg sends a VP8 stream (640x360, 30 fps,
//     ~500 kbit/s) into a producer; consumers (PlainTransports with SRTP, as WebRTC consumers encrypt
//     too) are added in steps, and the worker process's CPU is read from /proc at each step, until it
//     passes 90% of one core or the step limit. mediasoup's own guidance is ~500 consumers per worker.
//
//   node bench/media-sfu.mjs [--max-consumers 1200] [--step 100] [--seconds 4]
// Needs MEDIASOUP_WORKER_BIN (set by `npm run bench:media`, which runs scripts/ensure-worker.sh).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const mediasoup = require('mediasoup');
const { routerCodecs } = require(path.join(root, 'dist/backend/src/media/domain/codecs.js'));
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const MAX_CONSUMERS = arg('max-consumers', 1200);
const STEP = arg('step', 100);
const SECONDS = arg('seconds', 4);
const pct = (sorted, p) => +sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(3);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function rtpPacket(seq, ssrc, pt) {
  const b = Buffer.alloc(12 + 160);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 960) >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  b.writeDoubleBE(nowMs(), 12); // send time in the payload, which the SFU forwards untouched
  return b;
}
function payloadOffset(b) {
  let off = 12 + (b[0] & 0x0f) * 4;
  if (b[0] & 0x10) off += 4 + b.readUInt16BE(off + 2) * 4;
  return off;
}
const bind = () =>
  new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  });

async function forwardingLatency(router) {
  const PACKETS = 500;
  const sink = await bind();
  const direct = [];
  const viaSfu = [];
  let collecting = direct;
  sink.on('message', (m) => {
    if (m[1] >= 200 && m[1] <= 206) return; // RTCP (sender reports) shares the port: not a forwarded packet
    collecting.push(nowMs() - m.readDoubleBE(payloadOffset(m)));
  });
  const sender = await bind();
  const send = async (port) => {
    for (let i = 0; i < PACKETS; i++) {
      sender.send(rtpPacket(i, 1111, 100), port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
  };
  // Baseline: socket to socket on loopback.
  await send(sink.address().port);
  // Through the SFU: producer on one PlainTransport, consumer on another.
  collecting = viaSfu;
  const inT = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    comedia: true,
    rtcpMux: true,
  });
  const producer = await inT.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 1111 }],
    },
  });
  const outT = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    comedia: false,
    rtcpMux: true,
  });
  await outT.connect({ ip: '127.0.0.1', port: sink.address().port });
  await outT.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: false });
  await send(inT.tuple.localPort);
  inT.close();
  outT.close();
  sender.close();
  sink.close();
  const d = direct.sort((a, b) => a - b);
  const v = viaSfu.sort((a, b) => a - b);
  return {
    packets: PACKETS,
    received: { direct: d.length, viaSfu: v.length },
    directLoopbackMs: { p50: pct(d, 50), p95: pct(d, 95), p99: pct(d, 99) },
    viaSfuMs: { p50: pct(v, 50), p95: pct(v, 95), p99: pct(v, 99) },
    addedBySfuMs: { p50: +(pct(v, 50) - pct(d, 50)).toFixed(3), p99: +(pct(v, 99) - pct(d, 99)).toFixed(3) },
  };
}

function cpuTicks(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks
}
async function cpuOver(pid, seconds) {
  const hz = 100;
  const a = cpuTicks(pid);
  const t = nowMs();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return (cpuTicks(pid) - a) / hz / ((nowMs() - t) / 1000);
}

async function consumersPerWorker(worker, router) {
  const inT = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    comedia: true,
    rtcpMux: true,
  });
  const producer = await inT.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
      encodings: [{ ssrc: 2222 }],
    },
  });
  const ffmpeg = spawn(
    'ffmpeg',
    [
      '-nostdin',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=640x360:rate=30',
      '-c:v',
      'libvpx',
      '-b:v',
      '500k',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-g',
      '30',
      '-an',
      '-f',
      'rtp',
      '-ssrc',
      '2222',
      '-payload_type',
      '101',
      `rtp://127.0.0.1:${inT.tuple.localPort}?pkt_size=1200`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const sink = await bind();
  let received = 0;
  // Consumers start at the next key frame (FFmpeg ignores RTCP PLI, so one every second: -g 30).
  sink.on('message', (m) => {
    if (!(m[1] >= 200 && m[1] <= 206)) received++;
  });
  const steps = [];
  const transports = [];
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const inbound = (await producer.getStats())[0];
    for (let n = 0; n <= MAX_CONSUMERS; n += STEP) {
      while (transports.length < n) {
        const t = await router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
          rtcpMux: true,
          enableSrtp: true,
          srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
        });
        await t.connect({
          ip: '127.0.0.1',
          port: sink.address().port,
          srtpParameters: {
            cryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
            keyBase64: crypto.randomBytes(30).toString('base64'),
          },
        });
        await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: false });
        transports.push(t);
      }
      await new Promise((r) => setTimeout(r, 1200)); // a key frame for the new consumers
      received = 0;
      const cpu = await cpuOver(worker.pid, SECONDS);
      const pps = received / SECONDS;
      steps.push({ consumers: n, workerCpuOfOneCore: +cpu.toFixed(3), packetsOutPerSecond: Math.round(pps) });
      console.error(
        `[media-sfu] ${n} consumers: worker CPU ${(cpu * 100).toFixed(0)}% of a core, ${Math.round(pps)} packets/s out`,
      );
      if (cpu >= 0.9) break;
    }
    const inboundBitrate = (await producer.getStats())[0]?.bitrate ?? inbound?.bitrate ?? null;
    const saturated = steps.find((s) => s.workerCpuOfOneCore >= 0.9) ?? null;
    // Linear fit of CPU per consumer over the measured steps (excluding the empty one).
    const pts = steps.filter((s) => s.consumers > 0);
    const slope =
      pts.length > 1
        ? (pts.at(-1).workerCpuOfOneCore - pts[0].workerCpuOfOneCore) / (pts.at(-1).consumers - pts[0].consumers)
        : null;
    return {
      stream: 'VP8 640x360 30 fps from FFmpeg',
      producerBitrate: inboundBitrate,
      srtp: true,
      steps,
      saturatedAt: saturated ? saturated.consumers : null,
      cpuPerConsumerOfOneCore: slope ? +slope.toFixed(5) : null,
      estimatedConsumersAt90PercentCpu: slope ? Math.round((0.9 - steps[0].workerCpuOfOneCore) / slope) : null,
    };
  } finally {
    ffmpeg.kill('SIGTERM');
    for (const t of transports) t.close();
    inT.close();
    sink.close();
  }
}

const worker = await mediasoup.createWorker({ logLevel: 'error' });
try {
  const router = await worker.createRouter({ mediaCodecs: routerCodecs });
  const latency = await forwardingLatency(router);
  console.error(
    `[media-sfu] forwarding: via SFU p50 ${latency.viaSfuMs.p50} ms, direct p50 ${latency.directLoopbackMs.p50} ms`,
  );
  const capacity = await consumersPerWorker(worker, router);
  const figures = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model}`,
    mediasoup: mediasoup.version,
    forwardingLatency: latency,
    consumersPerWorker: capacity,
  };
  console.log(JSON.stringify(figures, null, 2));
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/media-sfu.json'), JSON.stringify(figures, null, 2) + '\n');
} finally {
  worker.close();
}
