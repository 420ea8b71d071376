// The cost of Page Visibility reports (attendance): N students (socket.io clients in worker processes) in one
// class, through the local load balancer to two backend instances on one PostgreSQL and one Redis. Each student
// reports `attendance:visibility` at join (as the app does), then flips its tab between hidden and visible at
// random moments, on average every --interval-ms, for --seconds. Reports the report-to-ack latency, the server
// work per report (CPU time of both backend processes, PostgreSQL transactions, bytes stored per row), and what
// the rows cost afterwards: grading the class at its end and computing its report. Loopback only; bounded in
// count and time.
//
//   node bench/attendance-visibility.mjs [--students 300] [--interval-ms 5000] [--seconds 30]
// (run `npm run build:backend` first; `npm run bench:attendance` does both)
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg, root, seedCourse, startBenchStack } from './lib/fixture.mjs';

const N = numberArg('students', 300);
const INTERVAL_MS = numberArg('interval-ms', 5000);
const SECONDS = numberArg('seconds', 30);
const WORKERS = 4;
const now = () => performance.timeOrigin + performance.now();

/** A worker: joins its students, reports visible, then flips each tab at random moments until told to stop. */
async function worker() {
  const { io } = await import('socket.io-client');
  process.once('message', async ({ url, sessionId, jobs, intervalMs, seconds }) => {
    const sockets = [];
    for (let k = 0; k < jobs.length; k += 25) {
      await Promise.all(
        jobs.slice(k, k + 25).map(async (job) => {
          const s = io(url, {
            path: '/socket.io',
            transports: ['websocket'],
            auth: { token: job.token },
            reconnection: false,
            forceNew: true,
            timeout: 20000,
          });
          sockets.push(s);
          await new Promise((resolve, reject) => {
            s.once('connect', resolve);
            s.once('connect_error', reject);
          });
          const ack = await s.timeout(20000).emitWithAck('room:join', { sessionId });
          if (!ack.ok) throw new Error(`join: ${ack.error.code}`);
          const first = await s.timeout(20000).emitWithAck('attendance:visibility', { visible: true });
          if (!first.ok) throw new Error(`visibility: ${first.error.code}`);
        }),
      );
    }
    process.send({ ready: true });
    process.once('message', () => {
      const until = now() + seconds * 1000;
      let pending = 0;
      for (const s of sockets) {
        let visible = true;
        const flip = () => {
          if (now() >= until) return;
          // Exponential gaps: tab switches at random, on average every intervalMs.
          setTimeout(
            async () => {
              if (now() >= until) return;
              visible = !visible;
              pending++;
              const sent = now();
              try {
                const a = await s.timeout(20000).emitWithAck('attendance:visibility', { visible });
                process.send({ ok: a.ok, code: a.ok ? null : a.error.code, ms: now() - sent });
              } catch (e) {
                process.send({ ok: false, code: e.message, ms: null });
              }
              pending--;
              flip();
            },
            -Math.log(1 - Math.random()) * intervalMs,
          );
        };
        flip();
      }
      const done = setInterval(() => {
        if (now() >= until && pending === 0) {
          clearInterval(done);
          process.send({ finished: true });
        }
      }, 100);
    });
    process.on('message', (m) => {
      if (m === 'close') {
        for (const s of sockets) s.disconnect();
        setTimeout(() => process.exit(0), 200);
      }
    });
  });
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const summary = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const r = (x) => +x.toFixed(1);
  return { n: s.length, p50: r(pct(s, 50)), p95: r(pct(s, 95)), p99: r(pct(s, 99)), max: r(s.at(-1)) };
};
/** CPU time (user + system) a process has used, in ms (Linux /proc). */
const cpuMs = (pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
};

async function main() {
  const stack = await startBenchStack({ instances: 2, tmpPrefix: 'lectern-bench-visibility-' });
  const { publicUrl, procs, query: q } = stack;
  const workers = [];
  try {
    // One course, one classroom with a live class, an instructor and N students, enrolled (made directly in
    // the database: the benchmark measures visibility reports, not LTI launches), tokens signed as a launch's are.
    const course = await seedCourse(stack, { key: 'bench-att', students: N, enrol: true });
    const { sessionId } = course.rooms[0];
    const jobs = course.students.map(({ token }) => ({ token }));
    const teacherToken = course.teacher.token;

    const results = [];
    let ready = 0;
    let finished = 0;
    await new Promise((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error('the students did not all join in time')), 180_000);
      for (let k = 0; k < WORKERS; k++) {
        const w = fork(fileURLToPath(import.meta.url), ['--worker'], { stdio: 'inherit' });
        workers.push(w);
        w.on('message', (m) => {
          if (m.ready) {
            if (++ready === WORKERS) {
              clearTimeout(guard);
              resolve();
            }
          } else if (m.finished) finished++;
          else results.push(m);
        });
        w.on('exit', (c) => c && reject(new Error(`worker exited with ${c}`)));
        w.send({
          url: publicUrl,
          sessionId,
          jobs: jobs.filter((_, i) => i % WORKERS === k),
          intervalMs: INTERVAL_MS,
          seconds: SECONDS,
        });
      }
    });
    await new Promise((r) => setTimeout(r, 2000)); // presence and the joins' writes settle

    const xacts = async () =>
      Number((await q(`SELECT xact_commit FROM pg_stat_database WHERE datname = 'bench'`))[0].xact_commit);
    const rowsBefore = Number((await q(`SELECT count(*) FROM attendance_visibility`))[0].count);
    const cpuBefore = procs.map((p) => cpuMs(p.pid));
    const xactBefore = await xacts();
    const started = now();
    for (const w of workers) w.send('go');
    while (finished < WORKERS) await new Promise((r) => setTimeout(r, 100));
    const elapsed = (now() - started) / 1000;
    const cpuUsed = procs.map((p, i) => cpuMs(p.pid) - cpuBefore[i]);
    const xactUsed = (await xacts()) - xactBefore;
    const rowsAfter = Number((await q(`SELECT count(*) FROM attendance_visibility`))[0].count);
    const accepted = results.filter((r) => r.ok);
    const [{ bytes }] = await q(`SELECT pg_total_relation_size('attendance_visibility') AS bytes`);

    // What the rows cost afterwards: the class ends (spans closed, everyone graded) and its report is computed.
    const api = (p, init = {}) =>
      fetch(`${publicUrl}${p}`, {
        ...init,
        headers: { authorization: `Bearer ${teacherToken}`, 'content-type': 'application/json' },
      });
    const endStart = now();
    const end = await api(`/api/classroom/sessions/${sessionId}/end`, { method: 'POST' });
    if (!end.ok) throw new Error(`end: ${end.status} ${await end.text()}`);
    const graded = async () =>
      Number((await q(`SELECT count(*) FROM attendance_grade WHERE session_id = $1`, [sessionId]))[0].count);
    while ((await graded()) < N && now() - endStart < 60_000) await new Promise((r) => setTimeout(r, 20));
    const gradeMs = now() - endStart;
    const reportMs = [];
    for (let i = 0; i < 5; i++) {
      const t0 = now();
      const r = await api(`/api/attendance/sessions/${sessionId}/report`);
      if (!r.ok) throw new Error(`report: ${r.status}`);
      await r.json();
      reportMs.push(now() - t0);
    }

    const figures = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      students: N,
      instances: 2,
      meanIntervalMs: INTERVAL_MS,
      seconds: +elapsed.toFixed(1),
      reportsSent: results.length,
      accepted: accepted.length,
      refused: results.length - accepted.length,
      refusalCodes: [...new Set(results.filter((r) => !r.ok).map((r) => r.code))],
      reportsPerSecond: +(accepted.length / elapsed).toFixed(1),
      reportToAckMs: summary(accepted.map((r) => r.ms)),
      rowsWritten: rowsAfter - rowsBefore,
      serverCpuMsPerReport: +(cpuUsed.reduce((a, b) => a + b, 0) / Math.max(1, accepted.length)).toFixed(3),
      serverCpuShareOfOneCore: +(cpuUsed.reduce((a, b) => a + b, 0) / (elapsed * 1000)).toFixed(3),
      postgresTransactionsPerReport: +(xactUsed / Math.max(1, accepted.length)).toFixed(2),
      bytesPerVisibilityRow: Math.round(Number(bytes) / Math.max(1, rowsAfter)),
      visibilityRowsInClass: rowsAfter,
      classEndToAllGradedMs: +gradeMs.toFixed(0),
      sessionReportMs: summary(reportMs),
      note: 'server CPU and transactions are whole-process figures over the window (presence heartbeats and other background work included); the class end closes spans, grades every student and queues notes (no SMTP: skipped).',
    };
    console.log(JSON.stringify(figures, null, 2));
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'bench/results/attendance-visibility.json'),
      JSON.stringify(figures, null, 2) + '\n',
    );
  } finally {
    for (const w of workers) w.connected && w.send('close');
    await stack.stop();
  }
}

if (process.argv[2] === '--worker') await worker();
else await main();
