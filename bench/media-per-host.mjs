// Participants per media host before its worker passes 80 % of a core, measured as a whole: two real
// Lectern instances (the built server, MEDIA_ROLE=on, one mediasoup worker each, on one PostgreSQL and
// one Redis) host a class; participants join through Lectern's own signalling and open real WebRTC
// transports (ICE + DTLS 1.2 with SRTP, bench/lib/webrtc-peer.mjs); senders send a VP8 + Opus clip
// as SRTP (FFmpeg, the keys of their own DTLS session), receivers' consumers are resumed and their
// SRTP arrives at a UDP socket per participant. Participants are added in steps; at each step each
// host's worker CPU (the instances' Prometheus metrics: mediasoup getResourceUsage) and consumers are
// read over the same seconds, until a worker passes the threshold or the step limit.
//
//  (a) lecture: the teacher's camera and voice to N students (two consumers per student);
//  (b) discussion: everyone sends camera and voice, everyone receives everyone (2·n·(n−1) consumers);
//  (c) the lecture spread over two hosts: MEDIA_PEERS_PER_HOST caps the class's first host, the rest
//      go to the second, fed through Lectern's pipe transports (SRTP) between the two workers.
//
//   node bench/media-per-host.mjs [--scenarios lecture,discussion,spread] [--lecture-step 50]
//     [--lecture-max 300] [--discussion-step 2] [--discussion-max 16] [--spread-cap 100] [--spread-max 200] [--spread-step 40] [--seconds 5]
//     [--threshold 0.8] [--nice 0] [--out bench/results/media-per-host.json]
// --nice N renices the instances and their workers (root only; e.g. -10 on a machine shared with
// other work, so the worker can get the CPU a dedicated host would give it) and the senders' FFmpeg
// alike, and the bench itself (its openssl children too) half as much. Loopback only; bounded
// by the step limits and --budget seconds per scenario (default 600). Needs `npm run build:backend`.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, startPostgres, startRedis, SERVER_NODE_FLAGS } from '../scripts/services.mjs';
import { MediaParticipant, encodeClip, stopEncoders } from './lib/media-participant.mjs';
import { clientCertificate } from './lib/webrtc-peer.mjs';
import {
  consumersAt,
  discussionParticipants,
  firstCrossing,
  fitCpuPerConsumer,
  lectureParticipants,
  round,
} from './lib/per-host-figures.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const argOf = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const num = (name, def) => (argOf(name) === undefined ? def : Number(argOf(name)));
const SCENARIOS = (argOf('scenarios') ?? 'lecture,discussion,spread').split(',');
const LECTURE_STEP = num('lecture-step', 50);
const SPREAD_STEP = num('spread-step', 40);
const LECTURE_MAX = num('lecture-max', 300);
const DISCUSSION_STEP = num('discussion-step', 2);
const DISCUSSION_MAX = num('discussion-max', 16);
const SPREAD_CAP = num('spread-cap', 100);
const SPREAD_MAX = num('spread-max', 200);
const SECONDS = num('seconds', 5);
const THRESHOLD = num('threshold', 0.8);
const NICE = num('nice', 0);
const BUDGET_S = num('budget', 600);
const OUT = path.resolve(root, argOf('out') ?? 'bench/results/media-per-host.json');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => console.error(`[media-per-host ${new Date().toISOString().slice(11, 19)}] ${m}`);

const procTicks = (pid) => {
  const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};
const childrenOf = (pid) =>
  fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const raw = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(raw.slice(raw.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);

/** One instance's media reading from its metrics port: worker CPU seconds and consumers (worker 0). */
async function scrape(metricsPort) {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const value = (name) => {
    const m = new RegExp(`^${name}\\{worker="0"\\} ([0-9.eE+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return {
    cpuSeconds: value('lectern_media_worker_cpu_seconds_total'),
    consumers: value('lectern_media_worker_consumers'),
  };
}

async function startInstances(base, extraEnv) {
  const hosts = [];
  for (const name of ['A', 'B']) {
    const port = await freePort();
    const metricsPort = await freePort();
    const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, path.join(root, 'dist/backend/src/main.js')], {
      env: { ...base, ...extraEnv, PORT: String(port), METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' },
      // The IPC channel ends the instance with the bench, even when the bench is killed.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    hosts.push({ name, port, metricsPort, proc, url: `http://127.0.0.1:${port}` });
  }
  for (const h of hosts) {
    for (let i = 0; ; i++) {
      if ((await fetch(`${h.url}/api/health`).catch(() => null))?.ok) break;
      if (i > 1500 || h.proc.exitCode !== null) throw new Error(`instance ${h.name} did not start`);
      await sleep(100);
    }
    h.workerPid = childrenOf(h.proc.pid).find((c) => fs.readFileSync(`/proc/${c}/comm`, 'utf8').includes('mediasoup'));
    if (NICE) for (const pid of [h.proc.pid, h.workerPid]) spawnSync('renice', ['-n', String(NICE), '-p', String(pid)]);
  }
  // Both hosts have published a load report (placement reads them).
  await sleep(2500);
  return hosts;
}

/** A sender's FFmpeg gets the worker's priority: at a lower one it falls behind on a busy machine and the worker has less to forward. */
function reniceSender(p) {
  if (NICE && p.ffmpeg?.pid) spawnSync('renice', ['-n', String(NICE), '-p', String(p.ffmpeg.pid)]);
}

async function stopInstances(hosts) {
  for (const h of hosts) h.proc.kill('SIGTERM');
  await Promise.all(hosts.map((h) => (h.proc.exitCode !== null ? null : new Promise((r) => h.proc.once('exit', r)))));
}

/** Every host's worker CPU (share of one core), consumers and instance CPU over the same SECONDS; packets received by all. */
async function measure(hosts, participants) {
  const rx = () => participants.reduce((a, p) => a + p.received.packets, 0);
  const tx = () => participants.reduce((a, p) => a + (p.send?.endpoint.sent.packets ?? 0), 0);
  const a = await Promise.all(hosts.map((h) => scrape(h.metricsPort)));
  const ticks0 = hosts.map((h) => procTicks(h.proc.pid));
  const rx0 = rx();
  const tx0 = tx();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const b = await Promise.all(hosts.map((h) => scrape(h.metricsPort)));
  const elapsed = (performance.now() - t0) / 1000;
  const out = {};
  hosts.forEach((h, i) => {
    out[h.name] = {
      consumers: b[i].consumers,
      workerCpu: round((b[i].cpuSeconds - a[i].cpuSeconds) / elapsed, 3),
      instanceCpu: round((procTicks(h.proc.pid) - ticks0[i]) / 100 / elapsed, 3),
    };
  });
  return {
    hosts: out,
    // what the senders put into the worker (RTP + RTCP) and what reached the receivers' sockets
    packetsSentPerSecond: Math.round((tx() - tx0) / elapsed),
    packetsReceivedPerSecond: Math.round((rx() - rx0) / elapsed),
  };
}

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** Runs one scenario's steps; returns the steps measured. */
async function runSteps({ hosts, newSession, certificate, clip, kind }) {
  const { sessionId, token } = await newSession();
  const everyone = [];
  const steps = [];
  const t0 = Date.now();
  let k = 0;
  const join = async (sends) => {
    const host = hosts[k++ % hosts.length]; // signalling through either instance, as behind the load balancer
    return MediaParticipant.join({ url: host.url, token: await token(sends), sessionId, certificate, sends });
  };
  // On a saturated machine an ack can time out: that person is counted as failed and the run goes on
  // (the consumers read from the host say what was really set up).
  const failures = [];
  const failed = (e) => {
    failures.push(e.message);
    log(`failed: ${e.message}`);
    return null;
  };
  try {
    const senders = [];
    if (kind !== 'discussion') {
      const teacher = await join(true);
      await teacher.produce(clip);
      reniceSender(teacher);
      everyone.push(teacher);
      senders.push(teacher);
    }
    const stepSize = kind === 'discussion' ? DISCUSSION_STEP : kind === 'spread' ? SPREAD_STEP : LECTURE_STEP;
    let joinSeconds = 0;
    const max = kind === 'discussion' ? DISCUSSION_MAX : kind === 'spread' ? SPREAD_MAX : LECTURE_MAX;
    for (;;) {
      await sleep(2500); // consumers start at the next key frame (every 2 s in the clip)
      const m = await measure(hosts, everyone);
      const retries = everyone.reduce((a, p) => a + (p.retries ?? 0), 0);
      const step = {
        participants: everyone.length,
        ...m,
        // received over what the worker should send: every sender's packets times the people receiving them
        deliveredShare: m.packetsSentPerSecond
          ? round(m.packetsReceivedPerSecond / (m.packetsSentPerSecond * (everyone.length - 1)), 2)
          : null,
        loadAverage: round(os.loadavg()[0], 2),
        joinSeconds,
        retries,
        failures: failures.length,
      };
      steps.push(step);
      log(`${kind}: ${JSON.stringify(step)}`);
      const passed = Object.values(m.hosts).some((h) => h.workerCpu >= THRESHOLD);
      if (passed || everyone.length >= max) break;
      if ((Date.now() - t0) / 1000 > BUDGET_S) {
        step.stoppedBy = 'time budget';
        break;
      }
      const n = Math.min(stepSize, max - everyone.length);
      const joinedAt = Date.now();
      const sends = kind === 'discussion';
      const added = await inBatches(
        Array.from({ length: n }, () => null),
        12,
        () => join(sends).catch(failed),
      ).then((ps) => ps.filter(Boolean));
      everyone.push(...added);
      if (sends) {
        for (const p of added) await p.produce(clip).then(() => (senders.push(p), reniceSender(p)), failed);
        const all = senders.flatMap((s) => s.producerIds);
        await inBatches(everyone, 8, (p) => p.consume(all).catch(failed));
      } else {
        await inBatches(added, 8, (p) => p.consume(senders[0].producerIds).catch(failed));
      }
      joinSeconds = round((Date.now() - joinedAt) / 1000, 1);
    }
  } finally {
    await inBatches(everyone, 16, (p) => p.close());
    // The next scenario starts from empty workers.
    for (let i = 0; i < 100; i++) {
      const r = await Promise.all(hosts.map((h) => scrape(h.metricsPort)));
      if (r.every((x) => x.consumers === 0)) break;
      await sleep(200);
    }
  }
  return steps;
}

function summarise(kind, steps, hostNames) {
  const perHost = {};
  for (const h of hostNames) {
    const points = steps.map((s) => ({ consumers: s.hosts[h].consumers, cpu: s.hosts[h].workerCpu }));
    if (!points.some((p) => p.consumers > 0)) continue;
    const fit = fitCpuPerConsumer(points);
    const consumers = consumersAt(fit, THRESHOLD);
    perHost[h] = {
      workerCpuPerConsumer: round(fit?.perConsumer ?? null, 6),
      workerCpuAtZeroConsumers: round(fit?.intercept ?? null, 3),
      consumersAtThreshold: consumers === null ? null : Math.round(consumers),
      participantsAtThreshold:
        kind === 'discussion' ? discussionParticipants(consumers) : lectureParticipants(consumers),
      measuredCrossing: firstCrossing(steps, h, THRESHOLD),
    };
  }
  return perHost;
}

async function main() {
  if (NICE) spawnSync('renice', ['-n', String(Math.round(NICE / 2)), '-p', String(process.pid)]);
  if (!fs.existsSync(path.join(root, 'dist/backend/src/main.js'))) throw new Error('run `npm run build:backend` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-perhost-'));
  const pgServer = await startPostgres({ dir: path.join(dir, 'pg'), port: await freePort(), persistent: false });
  await pgServer.ensureDatabase('bench');
  const redisServer = await startRedis({ dir: path.join(dir, 'redis'), port: await freePort(), persistent: false });
  const secret = crypto.randomBytes(24).toString('hex');
  const base = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    DATABASE_URL: pgServer.url('bench'),
    REDIS_URL: redisServer.url,
    PUBLIC_URL: 'http://localhost:1',
    DEV_PLATFORM: 'true',
    RATE_LIMIT_SCALE: '1000',
    LOG_LEVEL: 'warn',
    LTI_KEY: crypto.randomBytes(24).toString('hex'),
    SESSION_SECRET: secret,
    QUEUE_PREFIX: 'perhost',
    MEDIA_ROLE: 'on',
    MEDIA_WORKERS: '1',
    MEDIA_PORT: '0',
    MEDIA_LOAD_SAMPLE_MS: '1000',
    // Placement by count only (below): CPU-based spreading would move the class mid-measure.
    MEDIA_CONSUMERS_PER_WORKER: '100000',
    MEDIA_SPREAD_AT: '1',
    RECORDING_CAPTURE: 'false',
    ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
  };
  const certificate = await clientCertificate(dir);
  const clip = await encodeClip(path.join(dir, 'clip.webm'));
  const db = new pg.Client({ connectionString: pgServer.url('bench') });
  // Stopped by a signal: nothing left running (the instances end with their IPC channel).
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, async () => {
      stopEncoders();
      await redisServer.stop().catch(() => undefined);
      await pgServer.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  let hosts = [];
  const results = {};
  try {
    log('starting two instances');
    hosts = await startInstances(base, {});
    log('instances up');
    await db.connect();
    const { SessionTokens } = require(path.join(root, 'dist/backend/src/platform/auth/session-token.js'));
    const tokens = new SessionTokens(secret, base.PUBLIC_URL, 3600);
    const [{ id: platformId }] = (await db.query(`SELECT id FROM lti_platform LIMIT 1`)).rows;
    const [{ id: deploymentId }] = (
      await db.query(`SELECT id FROM lti_deployment WHERE platform_id = $1 LIMIT 1`, [platformId])
    ).rows;
    const course = (
      await db.query(
        `INSERT INTO course (platform_id, deployment_id, context_id, title) VALUES ($1, $2, 'perhost', 'Per host') RETURNING id`,
        [platformId, deploymentId],
      )
    ).rows[0].id;
    let users = 0;
    let queue = Promise.resolve();
    // One statement at a time on the one connection (joins run in parallel batches).
    const user = () =>
      (queue = queue.then(async () => {
        const n = ++users;
        const q = `INSERT INTO lti_user (platform_id, subject, name) VALUES ($1, $2, $3) RETURNING id`;
        return (await db.query(q, [platformId, `perhost-${n}`, `Person ${n}`])).rows[0].id;
      }));
    const newSession = async () => {
      const teacher = await user();
      const activityId = (
        await db.query(
          `INSERT INTO classroom_activity (course_id, resource_link_id, title) VALUES ($1, $2, 'Class') RETURNING id`,
          [course, `perhost-${crypto.randomUUID()}`],
        )
      ).rows[0].id;
      const sessionId = (
        await db.query(
          `INSERT INTO live_session (activity_id, course_id, started_by) VALUES ($1, $2, $3) RETURNING id`,
          [activityId, course, teacher],
        )
      ).rows[0].id;
      let first = true;
      const token = async () => {
        const role = first ? 'instructor' : 'learner';
        const userId = first ? teacher : await user();
        first = false;
        const claims = {
          userId,
          platformId,
          deploymentId,
          courseId: course,
          activityId,
          role,
          name: `Person ${users}`,
        };
        return (await tokens.issue(claims)).token;
      };
      return { sessionId, token };
    };
    const run = async (kind) => {
      const load = round(os.loadavg()[0], 2);
      const steps = await runSteps({ hosts, newSession, certificate, clip, kind });
      results[kind] = { loadAverageAtStart: load, steps, perHost: summarise(kind, steps, ['A', 'B']) };
    };
    if (SCENARIOS.includes('lecture')) await run('lecture');
    if (SCENARIOS.includes('discussion')) await run('discussion');
    if (SCENARIOS.includes('spread')) {
      await stopInstances(hosts);
      hosts = await startInstances(base, { MEDIA_PEERS_PER_HOST: String(SPREAD_CAP) });
      await run('spread');
      const spread = results.spread;
      const lectureFit = results.lecture?.perHost && Object.values(results.lecture.perHost)[0];
      const last = spread.steps.at(-1);
      // The pipe's own cost: both workers' CPU in the last step, minus what the same consumers cost on one
      // host by the lecture's line (one worker's ingest of the teacher counted once).
      if (lectureFit && last) {
        const consumers = last.hosts.A.consumers + last.hosts.B.consumers;
        const oneHost = lectureFit.workerCpuAtZeroConsumers + lectureFit.workerCpuPerConsumer * consumers;
        spread.pipeCost = {
          consumersBothHosts: consumers,
          workerCpuBothHosts: round(last.hosts.A.workerCpu + last.hosts.B.workerCpu, 3),
          sameConsumersOnOneHostByLectureLine: round(oneHost, 3),
          extraCpuOfOneCore: round(last.hosts.A.workerCpu + last.hosts.B.workerCpu - oneHost, 3),
        };
      }
    }
  } finally {
    await db.end().catch(() => undefined);
    await stopInstances(hosts);
    await redisServer.stop();
    await pgServer.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const mediasoup = require('mediasoup');
  const figures = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model}`,
    loadAverageAtEnd: os.loadavg().map((l) => +l.toFixed(2)),
    mediasoup: mediasoup.version,
    settings: { threshold: THRESHOLD, seconds: SECONDS, nice: NICE, spreadCap: SPREAD_CAP, spreadMax: SPREAD_MAX },
    participants:
      'Lectern signalling over socket.io; WebRTC transports with real ICE (STUN) and DTLS 1.2 + SRTP (openssl s_client); senders: a VP8 640x360 30 fps ~500 kbit/s + Opus 32 kbit/s clip looped by FFmpeg as SRTP; receivers: consumers resumed, SRTP counted at a UDP socket each (no RTCP feedback sent back)',
    ...results,
  };
  console.log(JSON.stringify(figures, null, 2));
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(figures, null, 2) + '\n');
}

await main();
process.exit(0);
