// Breakouts: a class of N students (socket.io clients spread over worker processes, with their media
// signalling) on two backend instances behind the local load balancer, one PostgreSQL and one Redis. The
// instructor splits them at random into R rooms, then recalls them. For each student: the time from the
// instructor's click until it is in its room (breakout:enter acked) with media signalling done there
// (media:join, media:ready, send and receive transports created on the room's router), and the same back
// to the main room after the recall. Students lost: not placed, not arrived, or not back in time.
// Loopback only; bounded in count and time.
//
//   node bench/breakouts.mjs [--students 300] [--rooms 30] [--instances 2]
// (run `npm run build:backend` first; `npm run bench:breakouts` does both)
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg, root, seedCourse, startBenchStack } from './lib/fixture.mjs';

const N = numberArg('students', 300);
const ROOMS = numberArg('rooms', 30);
const INSTANCES = numberArg('instances', 2);
const WORKERS = 4;
const PHASE_TIMEOUT_MS = 120_000;

/**
 * One student's media signalling in the room its socket is in now (a new peer each time). Like the
 * browser's media client, a MEDIA_UNAVAILABLE (503: the class's media host busy or being placed) is
 * tried again after a back-off (250 ms doubling, six tries); the retries are counted.
 */
async function signalMedia(s, retried = { n: 0 }) {
  const call = async (event, payload) => {
    const ack = await s.timeout(60_000).emitWithAck(event, payload);
    if (!ack.ok) throw Object.assign(new Error(`${event}: ${ack.error.code}`), { code: ack.error.code });
    return ack.data;
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const joined = await call('media:join', { peerId: crypto.randomUUID() });
      await call('media:ready', { rtpCapabilities: joined.routerRtpCapabilities });
      await call('media:create-transport', { direction: 'send' });
      await call('media:create-transport', { direction: 'recv' });
      return retried.n;
    } catch (e) {
      if (e.code !== 'MEDIA_UNAVAILABLE' || attempt >= 5) throw e;
      retried.n++;
      await call('media:leave', {}).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}

if (process.argv[2] === '--worker') {
  const { io } = await import('socket.io-client');
  process.once('message', async ({ url, jobs }) => {
    const students = [];
    const report = (m) => process.send(m);
    /** One student comes in: connects, joins the class and signals media in the main room (tried twice). */
    const comeIn = async (job) => {
      for (let attempt = 1; ; attempt++) {
        const s = io(url, {
          path: '/socket.io',
          transports: ['websocket'],
          auth: { token: job.token },
          reconnection: false,
          forceNew: true,
          timeout: 60_000,
        });
        try {
          await new Promise((resolve, reject) => {
            s.once('connect', resolve);
            s.once('connect_error', reject);
          });
          const ack = await s.timeout(60_000).emitWithAck('room:join', { sessionId: job.sessionId });
          if (!ack.ok) throw new Error(`room:join ${ack.error.code}`);
          await signalMedia(s);
          const me = { s, userId: ack.data.me.userId, here: null };
          students.push(me);
          s.on('breakout:state', (state) => void follow(me, state));
          return;
        } catch (e) {
          s.disconnect();
          if (attempt >= 2) return report({ setupError: e.message });
        }
      }
    };
    // Ten at a time per worker: the class arrives over some seconds, as a real one does.
    for (let i = 0; i < jobs.length; i += 10) await Promise.all(jobs.slice(i, i + 10).map(comeIn));
    report({ ready: students.length });

    /** Goes where the state says (its room, or back to the main room) and signals media there. */
    async function follow(me, state) {
      const room = state.rooms.find((r) => r.students.some((p) => p.userId === me.userId));
      const target = state.active ? (room?.id ?? null) : null;
      if (state.active && !room) return report({ phase: 'split', ok: false, error: 'NOT_PLACED' });
      if (target === me.here) return;
      const phase = state.active ? 'split' : 'recall';
      try {
        const ack = await me.s.timeout(60_000).emitWithAck('breakout:enter', { roomId: target });
        if (!ack.ok) throw new Error(`breakout:enter ${ack.error.code}`);
        me.here = target;
        const retries = await signalMedia(me.s);
        report({ phase, ok: true, at: Date.now(), retries });
      } catch (e) {
        report({ phase, ok: false, error: e.message });
      }
    }

    process.on('message', (m) => {
      if (m === 'close') {
        for (const { s } of students) s.disconnect();
        setTimeout(() => process.exit(0), 200);
      }
    });
  });
} else {
  await main();
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const { io } = await import('socket.io-client');
  const stack = await startBenchStack({
    instances: INSTANCES,
    env: {
      // One client address for hundreds of sockets: the per-address limits would be the figure.
      RATE_LIMIT_SCALE: '1000',
      LOG_LEVEL: 'warn',
      MEDIA_WORKERS: '1',
      MEDIA_PORT: '0',
      RECORDING_CAPTURE: 'false',
      // The whole class on WebRTC (a class past HLS_MAX_WEBRTC_VIEWERS sends viewers to HLS: another figure).
      HLS_MAX_WEBRTC_VIEWERS: '10000',
    },
  });
  const { publicUrl, redisServer } = stack;
  const workers = [];
  let teacher;
  try {
    // One course, one classroom with a live class, N students (made in the database: the bench measures
    // the breakouts, not the LTI launch).
    const course = await seedCourse(stack, { students: N });
    const { sessionId } = course.rooms[0];
    const jobs = course.students.map(({ token }) => ({ token, sessionId }));
    const teacherToken = course.teacher.token;
    teacher = io(publicUrl, { path: '/socket.io', transports: ['websocket'], auth: { token: teacherToken } });
    await new Promise((resolve, reject) => {
      teacher.once('connect', resolve);
      teacher.once('connect_error', reject);
    });
    const teacherCall = async (event, payload) => {
      const ack = await teacher.timeout(60_000).emitWithAck(event, payload);
      if (!ack.ok) throw new Error(`${event}: ${ack.error.code} ${ack.error.message}`);
      return ack.data;
    };
    await teacherCall('room:join', { sessionId });

    // The class comes in (not measured): every student in the main room with media signalling done.
    const results = { split: [], recall: [] };
    const errors = [];
    const setupErrors = [];
    let ready = 0;
    const setupStarted = Date.now();
    await new Promise((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error('the class did not come in within 10 minutes')), 600_000);
      for (let k = 0; k < WORKERS; k++) {
        const w = fork(fileURLToPath(import.meta.url), ['--worker'], { stdio: 'inherit' });
        workers.push(w);
        w.on('message', (m) => {
          if (m.setupError) setupErrors.push(m.setupError);
          if (m.ready !== undefined && ++ready === WORKERS) {
            clearTimeout(guard);
            resolve();
          }
          if (m.phase) (m.ok ? results[m.phase] : errors).push(m);
        });
        w.send({ url: publicUrl, jobs: jobs.filter((_, i) => i % WORKERS === k) });
      }
    });
    const setupSeconds = (Date.now() - setupStarted) / 1000;
    const phase = async (name, action) => {
      const t0 = Date.now();
      await action();
      const deadline = t0 + PHASE_TIMEOUT_MS;
      const expected = N - setupErrors.length;
      while (results[name].length + errors.filter((e) => e.phase === name).length < expected && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      return results[name].map((r) => r.at - t0).sort((a, b) => a - b);
    };
    const load0 = os.loadavg()[0];
    const split = await phase('split', () => teacherCall('breakout:open', { mode: 'random', rooms: ROOMS }));
    const placed = (await teacherCall('breakout:sync', {})).rooms.reduce((n, r) => n + r.students.length, 0);
    const roomsPerInstance = {};
    for (const key of await (async () => {
      const Redis = (await import('ioredis')).default;
      const r = new Redis(redisServer.url);
      const keys = await r.keys('media:owner:*');
      const owners = await Promise.all(keys.map((k) => r.get(k)));
      r.disconnect();
      return owners;
    })())
      roomsPerInstance[key] = (roomsPerInstance[key] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, 2000));
    const recall = await phase('recall', () => teacherCall('breakout:recall', {}));
    const load1 = os.loadavg()[0];
    const stats = (xs) => ({
      p50: Math.round(pct(xs, 50)),
      p99: Math.round(pct(xs, 99)),
      max: Math.round(xs.at(-1) ?? NaN),
    });
    const figures = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      loadAverage1m: { before: +load0.toFixed(1), after: +load1.toFixed(1) },
      students: N,
      rooms: ROOMS,
      instances: INSTANCES,
      mediaWorkersPerInstance: 1,
      classCameInSeconds: +setupSeconds.toFixed(1),
      inClassAtSplit: N - setupErrors.length,
      couldNotComeIn: setupErrors.length,
      placed,
      mediaHostsUsed: Object.values(roomsPerInstance),
      splitMs: { ...stats(split), arrived: split.length },
      recallMs: { ...stats(recall), back: recall.length },
      mediaRetries: {
        split: results.split.reduce((n, r) => n + (r.retries ?? 0), 0),
        recall: results.recall.reduce((n, r) => n + (r.retries ?? 0), 0),
      },
      lost: N - setupErrors.length - Math.min(split.length, recall.length),
      errors: errors.length,
      errorCodes: [...new Set([...errors.map((e) => e.error), ...setupErrors])].slice(0, 10),
      measures:
        "from the instructor's breakout:open (or recall) until the student's breakout:enter is acked and its media:join, media:ready and both transports are done in the room it moved to",
    };
    console.log(JSON.stringify(figures, null, 2));
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bench/results/breakouts.json'), JSON.stringify(figures, null, 2) + '\n');
  } finally {
    for (const w of workers) w.send('close');
    teacher?.disconnect();
    await stack.stop();
  }
}
