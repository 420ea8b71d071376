// Whiteboard fan-out: C drawing clients (socket.io, in worker processes) in one class, spread over three
// backend instances on one Redis. Each client draws S strokes; every other client measures the time from
// the stroke's send to its receipt, and the bytes each stroke costs on the wire. Then the same with the
// naive design (the whole board broadcast after every op) for comparison. Loopback only, bounded.
//
//   node bench/whiteboard.mjs [--clients 200] [--strokes 5] [--seconds 20] [--repeat 1] [--skip-naive | --only-naive] [--lb haproxy]
// --lb haproxy: clients reach the instances through the deploy recipe's HAProxy (deploy/haproxy/haproxy.cfg
// unchanged, TLS, leastconn) run as a process, instead of each dialling an instance's port.
// Diagnostics: WB_NODE_FLAGS="--trace-gc" (or --cpu-prof …) adds Node flags to the three servers and shows their stdout.
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg, root, seedCourse, startBenchStack, stringArg } from './lib/fixture.mjs';

const CLIENTS = numberArg('clients', 200);
const STROKES = numberArg('strokes', 5);
const SECONDS = numberArg('seconds', 20);
const WORKERS = 4;
const LB = stringArg('lb', null);
const now = () => performance.timeOrigin + performance.now();

if (process.argv[2] === '--worker') {
  const { io } = await import('socket.io-client');
  process.once('message', async ({ jobs, sessionId, t0, naive, lbUrl, ca }) => {
    const latencies = [];
    const bytes = [];
    let failures = 0;
    let disconnects = 0;
    const sockets = [];
    const seen = new Set();
    // Each stroke id carries its send time: `s<client>_<microseconds>`.
    const sentAt = (id) => Number(/_(\d+)$/.exec(id)?.[1] ?? NaN) / 1000;
    await Promise.all(
      jobs.map(async (job) => {
        const s = io(lbUrl ?? `http://127.0.0.1:${job.port}`, {
          ...(ca ? { ca } : {}),
          path: '/socket.io',
          transports: ['websocket'],
          auth: { token: job.token },
          reconnection: false,
          forceNew: true,
        });
        sockets.push(s);
        s.on('disconnect', () => disconnects++);
        await new Promise((r, j) => {
          s.once('connect', r);
          s.once('connect_error', j);
        });
        const joined = await s.timeout(20000).emitWithAck('room:join', { sessionId });
        if (!joined.ok) throw new Error(JSON.stringify(joined.error));
        // Bytes are sampled on one socket per worker process (it receives every message too): serialising
        // every message on all 200 sockets would load the shared cores with measurement work.
        const sampleBytes = job === jobs[0];
        s.on('wb:effects', (m) => {
          const t = now();
          if (sampleBytes) bytes.push(JSON.stringify(m).length);
          for (const e of m.effects) if (e.kind === 'put') latencies.push(t - sentAt(e.elementId));
        });
        s.on('wb:board', (b) => {
          const t = now();
          if (sampleBytes) bytes.push(JSON.stringify(b).length);
          for (const id of b.pages['page-1'].order) {
            const key = `${job.index}:${id}`;
            if (seen.has(key) || id.startsWith(`s${job.index}_`)) continue;
            seen.add(key);
            latencies.push(t - sentAt(id));
          }
        });
      }),
    );
    process.send({ ready: true });
    // Progress, so that a run that does not finish can say where it stood.
    let opsDone = 0;
    const errorCodes = {};
    setInterval(() => process.send({ progress: { opsDone, failures, disconnects, errorCodes } }), 2000).unref();
    process.once('message', async () => {
      await Promise.all(
        jobs.map(async (job, k) => {
          const s = sockets[k];
          // The job carries its strokes: this process was forked without the --strokes argument.
          for (let i = 0; i < job.offsets.length; i++) {
            await new Promise((r) => setTimeout(r, Math.max(0, job.offsets[i] - (Date.now() - t0))));
            const points = Array.from({ length: 16 }, (_, p) => [100 + p * 5 + i, 100 + job.index + p * 3]);
            const elementId = `s${job.index}_${Math.round(now() * 1000)}`;
            if (!s.connected) {
              failures++;
              continue;
            }
            const ack = await s
              .timeout(20000)
              .emitWithAck('wb:op', {
                type: 'add',
                opId: `op${job.index}_${i}_${crypto.randomBytes(3).toString('hex')}`,
                page: 'page-1',
                elementId,
                element: { kind: 'stroke', tool: 'pen', colour: '#1d4ed8', width: 3, points },
              })
              .catch(() => ({ ok: false, error: { code: 'ACK_TIMEOUT' } }));
            if (!ack.ok) {
              failures++;
              errorCodes[ack.error?.code ?? '?'] = (errorCodes[ack.error?.code ?? '?'] ?? 0) + 1;
            }
            opsDone++;
          }
        }),
      );
      await new Promise((r) => setTimeout(r, 3000));
      process.send({ result: true, latencies, bytes, naive, failures, disconnects, errorCodes });
      for (const s of sockets) s.disconnect();
      // Exit once the result has left (a large message takes a moment through the IPC channel).
      process.send({ done: true }, () => setTimeout(() => process.exit(0), 200));
    });
  });
} else {
  const previous = fs.existsSync(path.join(root, 'bench/results/whiteboard.json'))
    ? JSON.parse(fs.readFileSync(path.join(root, 'bench/results/whiteboard.json'), 'utf8'))
    : {};
  // Timings on a shared 2-core VM are noisy: --repeat N runs the delta scenario N times (fresh servers
  // each time) and reports every run and the median run (by p99).
  const REPEAT = numberArg('repeat', 1);
  let delta;
  let deltaRuns;
  if (process.argv.includes('--only-naive')) delta = previous.deltas ?? null;
  else {
    deltaRuns = [];
    for (let i = 0; i < REPEAT; i++) deltaRuns.push(await run(false));
    const ok = deltaRuns.filter((r) => r.fanOutLatencyMs).sort((x, y) => x.fanOutLatencyMs.p99 - y.fanOutLatencyMs.p99);
    delta = ok[Math.floor((ok.length - 1) / 2)] ?? deltaRuns[0];
  }
  const naive = process.argv.includes('--skip-naive')
    ? LB
      ? null
      : (previous.naiveFullBoard ?? null)
    : await run(true);
  const figures = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores`,
    clients: CLIENTS,
    instances: 3,
    loadBalancer: LB === 'haproxy' ? 'HAProxy (deploy recipe, TLS)' : 'none (clients dial the instances)',
    loadAverage: +os.loadavg()[0].toFixed(1),
    strokesPerClient: STROKES,
    seconds: SECONDS,
    deltas: delta,
    ...(deltaRuns && deltaRuns.length > 1
      ? {
          deltaRunsP99: deltaRuns.map((r) => r.fanOutLatencyMs?.p99 ?? null),
          deltaRunsP50: deltaRuns.map((r) => r.fanOutLatencyMs?.p50 ?? null),
        }
      : {}),
    naiveFullBoard: naive,
  };
  console.log(JSON.stringify(figures, null, 2));
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  const out = LB ? `whiteboard-${LB}.json` : 'whiteboard.json';
  fs.writeFileSync(path.join(root, 'bench/results', out), JSON.stringify(figures, null, 2) + '\n');
}

/** CPU seconds (user + system) used so far by each role's processes, from /proc (Linux). */
function cpuSeconds(roles) {
  const tick = 100; // USER_HZ on Linux
  const of = (pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name: state is [0], utime [11], stime [12].
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      return 0;
    }
  };
  return Object.fromEntries(Object.entries(roles).map(([k, pids]) => [k, pids.reduce((x, pid) => x + of(pid), 0)]));
}

function pct(sorted, p) {
  return sorted.length
    ? +sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(1)
    : null;
}

async function run(naive) {
  const stack = await startBenchStack({
    instances: 3,
    lb: LB === 'haproxy' ? 'haproxy' : 'none',
    nodeFlags: process.env.WB_NODE_FLAGS ? process.env.WB_NODE_FLAGS.split(' ') : [],
    serverStdout: process.env.WB_NODE_FLAGS ? 'inherit' : 'ignore',
    tmpPrefix: 'lectern-wb-bench-',
    env: { QUEUE_PREFIX: 'wbbench', WHITEBOARD_NAIVE_BROADCAST: naive ? 'true' : 'false' },
  });
  const { procs, ports, redisServer, proxy: lb } = stack;
  try {
    const course = await seedCourse(stack, { key: 'wb', students: CLIENTS, studentName: (i) => `Drawer ${i}` });
    const { sessionId } = course.rooms[0];
    const jobs = course.students.map(({ i, token }) => {
      const offsets = Array.from({ length: STROKES }, () => 500 + Math.floor(Math.random() * SECONDS * 1000));
      return { index: i, token, port: ports[i % 3], offsets: offsets.sort((x, y) => x - y) };
    });
    const workers = Array.from({ length: WORKERS }, () =>
      fork(fileURLToPath(import.meta.url), ['--worker'], { stdio: 'inherit' }),
    );
    const ready = workers.map((w) => new Promise((r) => w.once('message', r)));
    const t0 = Date.now() + 5000;
    const lbOpts = lb ? { lbUrl: lb.url, ca: stack.ca } : {};
    workers.forEach((w, k) =>
      w.send({ jobs: jobs.filter((_, i) => i % WORKERS === k), sessionId, t0, naive, ...lbOpts }),
    );
    await Promise.all(ready);
    const progress = workers.map(() => null);
    const exits = workers.map(() => null);
    const results = workers.map(
      (w, k) =>
        new Promise((r) => {
          w.on('message', (m) => (m?.result ? r(m) : m?.progress ? (progress[k] = m.progress) : undefined));
          w.once('exit', (code, signal) => (exits[k] = code ?? signal));
        }),
    );
    // Where the two shared cores go during the drawing: CPU seconds per role (servers, Redis, the clients).
    const roles = {
      servers: procs.map((p) => p.pid),
      redis: [redisServer.pid],
      clients: workers.map((w) => w.pid),
      ...(lb ? { loadBalancer: [lb.pid] } : {}),
    };
    const cpuBefore = cpuSeconds(roles);
    const tGo = Date.now();
    for (const w of workers) w.send('go');
    // Bounded: whatever has not reported by then counts as lost.
    const all = await Promise.race([
      Promise.all(results),
      new Promise((r) => setTimeout(() => r(null), (SECONDS + 90) * 1000)),
    ]);
    const cpuAfter = cpuSeconds(roles);
    const wall = (Date.now() - tGo) / 1000;
    for (const w of workers) w.kill();
    if (!all)
      return {
        error: `did not finish within ${SECONDS + 90} s`,
        workers: workers.map((_, k) => ({ progress: progress[k], exit: exits[k] })),
      };
    const lat = all.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const bytes = all.flatMap((r) => r.bytes);
    const strokes = CLIENTS * STROKES;
    return {
      strokes,
      deliveries: lat.length,
      expectedDeliveries: strokes * (CLIENTS - 1),
      fanOutLatencyMs: { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), max: pct(lat, 100) },
      bytesPerStrokeMessage: {
        mean: +(bytes.reduce((x, y) => x + y, 0) / Math.max(1, bytes.length)).toFixed(0),
        last: bytes.at(-1) ?? null,
      },
      // Sampled on one socket per worker: scaled to all clients.
      bytesOnTheWireTotal: Math.round((bytes.reduce((x, y) => x + y, 0) * CLIENTS) / WORKERS),
      failedOps: all.reduce((x, r) => x + r.failures, 0),
      failedOpCodes: all.reduce((acc, r) => {
        for (const [code, n] of Object.entries(r.errorCodes ?? {})) acc[code] = (acc[code] ?? 0) + n;
        return acc;
      }, {}),
      disconnectedClients: all.reduce((x, r) => x + r.disconnects, 0),
      cpuShareOfOneCore: Object.fromEntries(
        Object.keys(roles).map((k) => [k, +((cpuAfter[k] - cpuBefore[k]) / wall).toFixed(2)]),
      ),
    };
  } finally {
    await stack.stop();
  }
}
