// What spreading a class over two media hosts costs (Jitsi's Octo, as Lectern does it: mediasoup
// PipeTransports with SRTP and RTX between the two hosts' routers), on this machine:
//
//  - CPU: this script sends one RTP stream (video-sized packets: 1200-byte payloads, 100 per second,
//    Opus payload type so no key frame is waited for; a live FFmpeg encoder cannot keep its rate on a
//    loaded 2-core machine) into a producer on "host A" (one mediasoup worker). N consumers (SRTP PlainTransports, as WebRTC consumers encrypt too)
//    receive it: (1) all N on host A; (2) N/2 on A and N/2 on "host B" (another worker), the stream
//    piped A -> B over a pipe link on 127.0.0.1 exactly as media/sfu/host-links.ts sets it up. The
//    two workers' CPU (from /proc) is read side by side over the same seconds; the difference is the
//    price of the pipe (one more SRTP send on A, one SRTP receive on B). As the machine is shared and
//    the sender's rate wobbles, CPU is also given per 1000 packets sent out to consumers.
//  - Setup: the time to open a link (pipe transport on each side, connected both ways) and pull a
//    producer over it (consume on A, produce on B), as a consumer on B waits for it the first time.
//
//   node bench/media-octo.mjs [--consumers 200] [--seconds 8]
// Needs MEDIASOUP_WORKER_BIN or mediasoup's own worker. Prints the load average.
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
const CONSUMERS = arg('consumers', 200);
const SECONDS = arg('seconds', 8);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const cpuTicks = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
};
/** Each worker's CPU (share of one core) over the same seconds. */
async function cpuOver(pids, seconds) {
  const a = pids.map(cpuTicks);
  const t = nowMs();
  await sleep(seconds * 1000);
  const elapsed = (nowMs() - t) / 1000;
  return pids.map((pid, i) => +((cpuTicks(pid) - a[i]) / 100 / elapsed).toFixed(3));
}

const bind = () =>
  new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  });

async function consumersOn(router, producerId, n, sinkPort) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      enableSrtp: true,
      srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
    });
    await t.connect({
      ip: '127.0.0.1',
      port: sinkPort,
      srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: crypto.randomBytes(30).toString('base64') },
    });
    await t.consume({ producerId, rtpCapabilities: router.rtpCapabilities, paused: false });
    out.push(t);
  }
  return out;
}

/** A pipe link A -> B and the producer pulled over it, as host-links.ts does it; returns the setup time. */
async function pipe(routerA, routerB, producerId) {
  const t0 = nowMs();
  const opts = { listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, enableSrtp: true, enableRtx: true };
  const onB = await routerB.createPipeTransport(opts);
  const onA = await routerA.createPipeTransport(opts);
  await onA.connect({ ip: onB.tuple.localAddress, port: onB.tuple.localPort, srtpParameters: onB.srtpParameters });
  await onB.connect({ ip: onA.tuple.localAddress, port: onA.tuple.localPort, srtpParameters: onA.srtpParameters });
  const sent = await onA.consume({ producerId });
  const pulled = await onB.produce({
    id: producerId,
    kind: sent.kind,
    rtpParameters: sent.rtpParameters,
    paused: sent.producerPaused,
  });
  return { ms: +(nowMs() - t0).toFixed(1), close: () => (onA.close(), onB.close()), pulled };
}

const workerA = await mediasoup.createWorker({ logLevel: 'error' });
const workerB = await mediasoup.createWorker({ logLevel: 'error' });
const stops = [];
try {
  const routerA = await workerA.createRouter({ mediaCodecs: routerCodecs });
  const routerB = await workerB.createRouter({ mediaCodecs: routerCodecs });
  const inT = await routerA.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    comedia: true,
    rtcpMux: true,
  });
  const producer = await inT.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 2222 }],
    },
  });
  const sender = await bind();
  let seq = 0;
  const payload = crypto.randomBytes(1200);
  const pump = setInterval(() => {
    for (let k = 0; k < 2; k++) {
      const b = Buffer.alloc(12 + payload.length);
      b[0] = 0x80;
      b[1] = 100;
      b.writeUInt16BE(seq & 0xffff, 2);
      b.writeUInt32BE((seq * 480) >>> 0, 4);
      b.writeUInt32BE(2222, 8);
      payload.copy(b, 12);
      seq++;
      sender.send(b, inT.tuple.localPort, '127.0.0.1');
    }
  }, 20);
  stops.push(() => {
    clearInterval(pump);
    sender.close();
  });
  const sink = await bind();
  let received = 0;
  sink.on('message', () => received++);
  await sleep(2000);

  // Link setup times (a fresh link each time, as for a new host of a class), median of 5.
  const setups = [];
  for (let i = 0; i < 5; i++) {
    const p = await pipe(routerA, routerB, producer.id);
    setups.push(p.ms);
    p.close();
  }
  setups.sort((a, b) => a - b);

  // 1. Everyone on host A.
  let ts = await consumersOn(routerA, producer.id, CONSUMERS, sink.address().port);
  await sleep(1500);
  received = 0;
  const [oneA, oneB] = await cpuOver([workerA.pid, workerB.pid], SECONDS);
  const oneRate = Math.round(received / SECONDS);
  for (const t of ts) t.close();

  // 2. Half on A, half on B through the pipe.
  const link = await pipe(routerA, routerB, producer.id);
  ts = [
    ...(await consumersOn(routerA, producer.id, CONSUMERS / 2, sink.address().port)),
    ...(await consumersOn(routerB, producer.id, CONSUMERS / 2, sink.address().port)),
  ];
  await sleep(1500);
  received = 0;
  const [twoA, twoB] = await cpuOver([workerA.pid, workerB.pid], SECONDS);
  const twoRate = Math.round(received / SECONDS);
  for (const t of ts) t.close();
  link.close();

  const per1000 = (cpu, rate) => (rate > 0 ? +((cpu / rate) * 1000).toFixed(4) : null);
  const figures = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model}`,
    loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
    mediasoup: mediasoup.version,
    stream:
      'RTP, 1200-byte payloads, 100 packets/s (video-sized), sent by the script; consumers are SRTP PlainTransports',
    consumers: CONSUMERS,
    seconds: SECONDS,
    oneHost: {
      workerCpuOfOneCore: { a: oneA, b: oneB },
      total: +(oneA + oneB).toFixed(3),
      packetsOutPerSecond: oneRate,
      cpuSecondsPer1000PacketsOut: per1000(oneA + oneB, oneRate),
    },
    spreadOverTwo: {
      workerCpuOfOneCore: { a: twoA, b: twoB },
      total: +(twoA + twoB).toFixed(3),
      packetsOutPerSecond: twoRate,
      cpuSecondsPer1000PacketsOut: per1000(twoA + twoB, twoRate),
    },
    pipeExtraCpuOfOneCore: +(twoA + twoB - (oneA + oneB)).toFixed(3),
    spreadTotalOverOneHost: oneA + oneB > 0 ? +((twoA + twoB) / (oneA + oneB)).toFixed(3) : null,
    spreadPerPacketOverOneHost:
      oneRate > 0 && twoRate > 0 ? +((twoA + twoB) / twoRate / ((oneA + oneB) / oneRate)).toFixed(3) : null,
    linkSetupMs: { median: setups[2], min: setups[0], max: setups[4] },
  };
  console.log(JSON.stringify(figures, null, 2));
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/media-octo.json'), JSON.stringify(figures, null, 2) + '\n');
  sink.close();
} finally {
  for (const stop of stops) stop();
  workerA.close();
  workerB.close();
}
