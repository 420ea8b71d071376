// Join storm: N simulated participants (socket.io clients, spread over worker processes) join one
// course's live rooms over S seconds, across two backend instances behind the local load balancer, on
// one PostgreSQL and one Redis. Reports join-to-room-state latency, errors, Postgres and Redis round
// trips per join and memory per connected participant. Loopback only; bounded in count and time.
//
//   node bench/join-storm.mjs [--participants 300] [--seconds 60] [--rooms 10] [--instances 2] [--lb node|haproxy] [--warmup 0]
// --warmup N: N untimed joins (over 10 s, into another course's room, who then leave) before the storm, so
// the figures are those of running instances rather than of instances just started.
// --lb haproxy: the deploy recipe's HAProxy (deploy/haproxy/haproxy.cfg, TLS, health checks) as a process,
// in front of the instances, instead of the bench's own small proxy (scripts/lb-proxy.mjs).
// (run `npm run build:backend` first; `npm run bench:join-storm` does both)
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { numberArg, root, seedCourse, startBenchStack, stringArg } from './lib/fixture.mjs';

const N = numberArg('participants', 300);
const SECONDS = numberArg('seconds', 60);
const ROOMS = numberArg('rooms', 10);
const WORKERS = 4;
const INSTANCES = numberArg('instances', 2);
const WARMUP = numberArg('warmup', 0);
const LB = stringArg('lb', 'node');

if (process.argv[2] === '--worker') {
  // A worker: connects its share of participants at their scheduled times and reports each join.
  const { io } = await import('socket.io-client');
  // Runs one storm per message (a warm-up, then the timed storm, from the same warmed-up processes);
  // 'leave' disconnects what the last run connected, 'close' also ends the worker.
  let sockets = [];
  process.on('message', async (m) => {
    if (m === 'leave' || m === 'close') {
      for (const s of sockets) s.disconnect();
      sockets = [];
      if (m === 'close') setTimeout(() => process.exit(0), 200);
      else setTimeout(() => process.send({ left: true }), 200);
      return;
    }
    const { url, jobs, t0, ca } = m;
    let received = 0;
    await Promise.all(
      jobs.map(
        (job) =>
          new Promise((resolve) => {
            setTimeout(
              () => {
                const started = performance.now();
                const s = io(url, {
                  path: '/socket.io',
                  transports: ['websocket'],
                  auth: { token: job.token },
                  reconnection: false,
                  forceNew: true,
                  timeout: 20000,
                  ...(ca ? { ca } : {}),
                });
                sockets.push(s);
                s.onAny(() => received++);
                s.once('connect_error', (e) => {
                  process.send({ ok: false, error: e.message });
                  resolve();
                });
                s.once('connect', async () => {
                  const connected = performance.now();
                  try {
                    const ack = await s.timeout(20000).emitWithAck('room:join', { sessionId: job.sessionId });
                    const now = performance.now();
                    process.send(
                      ack.ok
                        ? {
                            ok: true,
                            ms: now - started,
                            connectMs: connected - started,
                            joinMs: now - connected,
                            at: job.at,
                            participants: ack.data.participants.length,
                          }
                        : { ok: false, error: ack.error.code },
                    );
                  } catch (e) {
                    process.send({ ok: false, error: e.message });
                  }
                  resolve();
                });
              },
              Math.max(0, job.at - (Date.now() - t0)),
            );
          }),
      ),
    );
    // What reached the clients until the last join was answered (presence of others, chat, state...).
    process.send({ done: true, received });
  });
} else {
  await main();
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function rssKb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

/** CPU seconds used so far by a process and its live descendants (and the children it has reaped). */
function treeCpuSeconds(rootPid) {
  const stats = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const raw = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      // after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
      stats.set(Number(d), {
        ppid: Number(f[1]),
        own: Number(f[11]) + Number(f[12]),
        reaped: Number(f[13]) + Number(f[14]),
      });
    } catch {
      // the process ended while we looked
    }
  }
  let ticks = 0;
  const walk = (pid, root) => {
    const st = stats.get(pid);
    if (!st) return;
    ticks += st.own + (root ? st.reaped : 0);
    for (const [child, cs] of stats) if (cs.ppid === pid) walk(child, false);
  };
  walk(rootPid, true);
  return ticks / 100; // USER_HZ on Linux
}

async function main() {
  // One course with ROOMS classrooms, each with a live class, and N students (made directly in the
  // database: the storm measures joining the room, not the LTI launch).
  const stack = await startBenchStack({
    instances: INSTANCES,
    lb: LB,
    nodeFlags: process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [],
    env: {
      // One client address for thousands of sockets: the per-address connection limit would be the figure.
      RATE_LIMIT_SCALE: '1000',
      LOG_LEVEL: 'warn',
      // To compare: PRESENCE_BATCH_ABOVE=0 turns presence batching off (every change to every member at once).
      ...(process.env.PRESENCE_BATCH_ABOVE ? { PRESENCE_BATCH_ABOVE: process.env.PRESENCE_BATCH_ABOVE } : {}),
    },
  });
  const { procs, pgServer, redisServer, proxy, publicUrl, ca, db } = stack;
  const redis = new Redis(redisServer.url);
  try {
    const course = await seedCourse(stack, { rooms: ROOMS, students: N });
    const jobs = course.students.map((s, i) => ({
      token: s.token,
      sessionId: s.sessionId,
      at: Math.floor((i / N) * SECONDS * 1000),
    }));
    const rss0 = await Promise.all(procs.map((p) => rssKb(p.pid)));
    const pg0 = (await db.query(`SELECT sum(xact_commit + xact_rollback)::bigint AS x FROM pg_stat_database`)).rows[0]
      .x;
    const cmd = async () => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))[1]);
    const redis0 = await cmd();
    const commandStats = async () =>
      Object.fromEntries(
        [...(await redis.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((m) => [
          m[1],
          Number(m[2]),
        ]),
      );
    const stats0 = await commandStats();
    // Which tables a join reads and writes (index and sequential scans, rows inserted and updated).
    const tableStats = async () =>
      Object.fromEntries(
        (
          await db.query(
            `SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS scans, n_tup_ins + n_tup_upd + n_tup_del AS writes FROM pg_stat_user_tables`,
          )
        ).rows.map((r) => [r.relname, { scans: Number(r.scans), writes: Number(r.writes) }]),
      );
    const tables0 = await tableStats();
    const pgPid = Number(fs.readFileSync(path.join(pgServer.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const cpuParts = () => ({
      instances: procs.reduce((a, p) => a + treeCpuSeconds(p.pid), 0),
      postgres: treeCpuSeconds(pgPid),
      redis: redisServer.pid ? treeCpuSeconds(redisServer.pid) : 0,
      loadBalancer: proxy.pid ? treeCpuSeconds(proxy.pid) : 0,
    });
    const cpu0 = cpuParts();
    const load0 = os.loadavg()[0];

    const workers = Array.from({ length: WORKERS }, () =>
      fork(fileURLToPath(import.meta.url), ['--worker'], { stdio: 'inherit' }),
    );
    const storm = (stormJobs, seconds) => {
      const results = [];
      const t0 = Date.now();
      let done = 0;
      let delivered = 0;
      return new Promise((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error('the storm did not finish in time')), (seconds + 90) * 1000);
        workers.forEach((w, k) => {
          const onMessage = (m) => {
            if (m.done) {
              delivered += m.received;
              if (++done === WORKERS) {
                clearTimeout(guard);
                for (const x of workers) x.removeAllListeners('message');
                resolve({ results, delivered, t0 });
              }
            } else results.push(m);
          };
          w.on('message', onMessage);
          w.send({ url: publicUrl, jobs: stormJobs.filter((_, i) => i % WORKERS === k), t0, ca });
        });
      });
    };
    if (WARMUP) {
      // Instances just started run the join path unoptimised (V8 compiles hot code after a while) and with
      // cold caches, and so do the bench's own client processes: untimed joins into a room of another
      // course first, from the same client processes, who then leave.
      const warm = await seedCourse(stack, { key: 'warmup', rooms: 1, students: WARMUP });
      await storm(
        warm.students.map((s, i) => ({
          token: s.token,
          sessionId: s.sessionId,
          at: Math.floor((i / WARMUP) * 10_000),
        })),
        10,
      );
      await Promise.all(
        workers.map(
          (w) =>
            new Promise((r) => {
              w.once('message', r);
              w.send('leave');
            }),
        ),
      );
      await new Promise((r) => setTimeout(r, 3000));
    }
    const clientCpu0 = workers.reduce((a, w) => a + treeCpuSeconds(w.pid), 0);
    const { results, delivered, t0 } = await storm(jobs, SECONDS);
    const wall = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1500));
    const rss1 = await Promise.all(procs.map((p) => rssKb(p.pid)));
    const pg1 = (await db.query(`SELECT sum(xact_commit + xact_rollback)::bigint AS x FROM pg_stat_database`)).rows[0]
      .x;
    const redis1 = await cmd();
    const stats1 = await commandStats();
    await new Promise((r) => setTimeout(r, 600)); // the statistics collector reports at most twice a second
    const tables1 = await tableStats();
    const cpu1 = cpuParts();
    const load1 = os.loadavg()[0];
    for (const w of workers) w.send('close');
    const cpuMsPerJoin = Object.fromEntries(
      Object.keys(cpu1).map((k) => [
        k,
        +(((cpu1[k] - cpu0[k]) * 1000) / Math.max(1, results.filter((r) => r.ok).length)).toFixed(2),
      ]),
    );

    const ok = results
      .filter((r) => r.ok)
      .map((r) => r.ms)
      .sort((a, b) => a - b);
    const errors = results.filter((r) => !r.ok);
    // Where the time goes: the connection (TLS, Socket.io handshake, authentication) and the join apart,
    // and the latency by ten-second slice of the ramp (a tail that grows with the rooms, or a stall).
    const part = (key) => {
      const v = results
        .filter((r) => r.ok)
        .map((r) => r[key])
        .sort((a, b) => a - b);
      return { p50: +pct(v, 50).toFixed(1), p95: +pct(v, 95).toFixed(1), p99: +pct(v, 99).toFixed(1) };
    };
    const slices = [];
    for (let from = 0; from < SECONDS * 1000; from += 10000) {
      const v = results
        .filter((r) => r.ok && r.at >= from && r.at < from + 10000)
        .map((r) => r.ms)
        .sort((a, b) => a - b);
      if (v.length)
        slices.push({ fromS: from / 1000, joins: v.length, p50: +pct(v, 50).toFixed(1), p99: +pct(v, 99).toFixed(1) });
    }
    const figures = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      participants: N,
      rooms: ROOMS,
      instances: INSTANCES,
      loadBalancer: LB === 'haproxy' ? 'HAProxy (deploy recipe, TLS)' : 'bench proxy (scripts/lb-proxy.mjs)',
      rampSeconds: SECONDS,
      warmupJoins: WARMUP,
      wallSeconds: Number(wall.toFixed(1)),
      joined: ok.length,
      errors: errors.length,
      errorCodes: [...new Set(errors.map((e) => e.error))],
      joinToRoomStateMs: {
        p50: +pct(ok, 50).toFixed(1),
        p95: +pct(ok, 95).toFixed(1),
        p99: +pct(ok, 99).toFixed(1),
        max: +ok.at(-1).toFixed(1),
      },
      connectMs: part('connectMs'),
      roomJoinMs: part('joinMs'),
      bySlice: slices,
      clientCpuMsPerJoin: +(
        ((workers.reduce((a, w) => a + treeCpuSeconds(w.pid), 0) - clientCpu0) * 1000) /
        Math.max(1, ok.length)
      ).toFixed(2),
      postgresTransactionsPerJoin: +((Number(pg1) - Number(pg0)) / Math.max(1, ok.length)).toFixed(2),
      redisCommandsPerJoin: +((redis1 - redis0) / Math.max(1, ok.length)).toFixed(1),
      memoryPerParticipantKb: +(
        (rss1.reduce((a, b) => a + b, 0) - rss0.reduce((a, b) => a + b, 0)) /
        Math.max(1, ok.length)
      ).toFixed(1),
      redisCommandsPerJoinByName: Object.fromEntries(
        Object.entries(stats1)
          .map(([k, v]) => [k, +((v - (stats0[k] ?? 0)) / Math.max(1, ok.length)).toFixed(2)])
          .filter(([, v]) => v >= 0.1)
          .sort((a, b) => b[1] - a[1]),
      ),
      postgresPerJoinByTable: Object.fromEntries(
        Object.entries(tables1)
          .map(([k, v]) => [
            k,
            {
              scans: +((v.scans - (tables0[k]?.scans ?? 0)) / Math.max(1, ok.length)).toFixed(2),
              writes: +((v.writes - (tables0[k]?.writes ?? 0)) / Math.max(1, ok.length)).toFixed(2),
            },
          ])
          .filter(([, v]) => v.scans >= 0.05 || v.writes >= 0.05)
          .sort((a, b) => b[1].scans + b[1].writes - (a[1].scans + a[1].writes)),
      ),
      messagesToClientsPerJoin: +(delivered / Math.max(1, ok.length)).toFixed(1),
      serverCpuMsPerJoin: cpuMsPerJoin,
      serverCpuMsPerJoinTotal: +Object.values(cpuMsPerJoin)
        .reduce((a, b) => a + b, 0)
        .toFixed(2),
      loadAverage: { before: +load0.toFixed(1), after: +load1.toFixed(1) },
      note: 'Postgres transactions include every statement (autocommit) of the whole server during the storm; Redis commands include heartbeats, sweeps and the socket.io adapter.',
    };
    console.log(JSON.stringify(figures, null, 2));
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    const out =
      LB === 'haproxy' || INSTANCES !== 2
        ? `join-storm-${LB}-${INSTANCES}x-${N}${WARMUP ? '-warm' : ''}.json`
        : 'join-storm.json';
    fs.writeFileSync(path.join(root, 'bench/results', out), JSON.stringify(figures, null, 2) + '\n');
  } finally {
    redis.disconnect();
    await stack.stop();
  }
}
