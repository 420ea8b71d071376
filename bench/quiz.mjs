// Live quiz: N students (socket.io clients in worker processes) in one class, through the local load
// balancer to two backend instances (round robin: half on each) on one PostgreSQL and one Redis. The
// instructor launches one single-choice question; each student answers it at a moment spread evenly over
// the 5 s after it reached them. Reports answer-to-ack latency, answer-to-chart-update latency as the
// instructor's socket sees it, and answers lost (acks vs the final chart vs Postgres rows). Loopback only;
// bounded in count and time.
//
//   node bench/quiz.mjs [--students 300] [--spread-ms 5000]
// (run `npm run build:backend` first; `npm run bench:quiz` does both)
//
// Answer-to-chart-update, defined: for answer i, sent at s_i and acked at a_i (the student's clock), the
// chart update that first includes its count is the first `quiz:tally` the instructor receives whose
// `answered` is at least i's position in the order Redis accepted the answers. That position is not seen
// by clients, so it is bounded above by U_i = #{ j : s_j <= a_i } (every answer Redis took before i was sent
// before i was acked): the first tally with answered >= U_i certainly includes i. The figure reported is the
// time from s_i to that tally's arrival (an upper bound of the true latency; all processes share this
// machine's clock, read as performance.timeOrigin + performance.now()).
import { fork, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startProxy } from '../scripts/lb-proxy.mjs';
import { freePort, startPostgres, startRedis, SERVER_NODE_FLAGS } from '../scripts/services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('students', 300);
const SPREAD_MS = arg('spread-ms', 5000);
const WORKERS = 4;
const OPTIONS = ['a', 'b', 'c', 'd'];
const now = () => performance.timeOrigin + performance.now();

/** A worker: connects and joins its students, then each answers the launched question at its moment. */
async function worker() {
  const { io } = await import('socket.io-client');
  process.once('message', async ({ url, sessionId, jobs }) => {
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
          s.once('quiz:launched', ({ quiz }) => {
            const seen = now();
            setTimeout(async () => {
              const sent = now();
              try {
                const a = await s.timeout(20000).emitWithAck('quiz:answer', {
                  quizId: quiz.id,
                  questionId: quiz.questions[0].id,
                  answer: { type: 'single', choice: job.choice },
                });
                process.send({ i: job.i, ok: a.ok, code: a.ok ? null : a.error.code, seen, sent, acked: now() });
              } catch (e) {
                process.send({ i: job.i, ok: false, code: e.message, seen, sent, acked: null });
              }
            }, job.delayMs);
          });
        }),
      );
    }
    process.send({ ready: true });
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

async function main() {
  const serverMain = path.join(root, 'dist/backend/src/main.js');
  if (!fs.existsSync(serverMain)) throw new Error('run `npm run build:backend` first');
  const { io } = await import('socket.io-client');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-quiz-'));
  const pgServer = await startPostgres({ dir: path.join(dir, 'pg'), port: await freePort(), persistent: false });
  await pgServer.ensureDatabase('bench');
  const redisServer = await startRedis({ dir: path.join(dir, 'redis'), port: await freePort(), persistent: false });
  const ports = [await freePort(), await freePort()];
  const proxy = await startProxy({ backends: ports.map((port) => ({ port })) });
  const secret = crypto.randomBytes(24).toString('hex');
  const publicUrl = `http://localhost:${proxy.port}`;
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    DATABASE_URL: pgServer.url('bench'),
    REDIS_URL: redisServer.url,
    PUBLIC_URL: publicUrl,
    DEV_PLATFORM: 'true',
    DEV_PLATFORM_URL: `http://127.0.0.1:${proxy.port}/dev-platform`,
    LTI_KEY: crypto.randomBytes(24).toString('hex'),
    SESSION_SECRET: secret,
    QUEUE_PREFIX: 'bench',
  };
  const procs = [];
  const workers = [];
  let db;
  let teacher;
  try {
    for (const port of ports) {
      const p = spawn(process.execPath, [...SERVER_NODE_FLAGS, serverMain], {
        env: { ...env, PORT: String(port) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      procs.push(p);
      for (let i = 0; i < 600; i++) {
        if ((await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    db = new pg.Client({ connectionString: pgServer.url('bench') });
    await db.connect();
    // One course, one classroom with a live class, an instructor and N students (made directly in the
    // database: the benchmark measures answering, not LTI launches), tokens signed as a launch's are.
    const q = async (sql, params) => (await db.query(sql, params)).rows;
    const [{ id: platformId }] = await q(`SELECT id FROM lti_platform LIMIT 1`);
    const [{ id: deploymentId }] = await q(`SELECT id FROM lti_deployment WHERE platform_id = $1 LIMIT 1`, [
      platformId,
    ]);
    const [{ id: courseId }] = await q(
      `INSERT INTO course (platform_id, deployment_id, context_id, title) VALUES ($1, $2, 'bench-quiz', 'Bench course') RETURNING id`,
      [platformId, deploymentId],
    );
    const [{ id: teacherId }] = await q(
      `INSERT INTO lti_user (platform_id, subject, name) VALUES ($1, 'bench-teacher', 'Teacher') RETURNING id`,
      [platformId],
    );
    const [{ id: activityId }] = await q(
      `INSERT INTO classroom_activity (course_id, resource_link_id, title) VALUES ($1, 'bench-quiz-rl', 'Quiz room') RETURNING id`,
      [courseId],
    );
    const [{ id: sessionId }] = await q(
      `INSERT INTO live_session (activity_id, course_id, started_by) VALUES ($1, $2, $3) RETURNING id`,
      [activityId, courseId, teacherId],
    );
    const students = await q(
      `INSERT INTO lti_user (platform_id, subject, name) SELECT $1, 'bench-student-' || i, 'Student ' || i FROM generate_series(1, $2::int) AS i RETURNING id`,
      [platformId, N],
    );
    const { SessionTokens } = require(path.join(root, 'dist/backend/src/platform/auth/session-token.js'));
    const tokens = new SessionTokens(secret, publicUrl, 3600);
    const claims = { platformId, deploymentId, courseId, activityId };
    const jobs = [];
    for (const [i, s] of students.entries()) {
      const { token } = await tokens.issue({ ...claims, userId: s.id, role: 'learner', name: `Student ${i}` });
      // Answer moments spread evenly over the window, in an order unrelated to the connection order.
      jobs.push({ i, token, choice: i % OPTIONS.length, delayMs: Math.floor((((i * 7919) % N) / N) * SPREAD_MS) });
    }
    const { token: teacherToken } = await tokens.issue({
      ...claims,
      userId: teacherId,
      role: 'instructor',
      name: 'Teacher',
    });

    // The instructor first (on the first instance the balancer picks), then the students.
    teacher = io(publicUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token: teacherToken },
      reconnection: false,
      forceNew: true,
    });
    await new Promise((resolve, reject) => {
      teacher.once('connect', resolve);
      teacher.once('connect_error', reject);
    });
    const joined = await teacher.timeout(20000).emitWithAck('room:join', { sessionId });
    if (!joined.ok) throw new Error(`instructor join: ${joined.error.code}`);
    const tallies = [];
    teacher.on('quiz:tally', (t) =>
      tallies.push({ at: now(), answered: t.answered, counts: t.questions[0].bars.map((b) => b.count) }),
    );

    const answers = [];
    let ready = 0;
    const joinStarted = now();
    await new Promise((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error('the students did not all join in time')), 180_000);
      for (let k = 0; k < WORKERS; k++) {
        const w = fork(fileURLToPath(import.meta.url), ['--worker'], { stdio: 'inherit' });
        workers.push(w);
        w.on('message', (m) => {
          if (m.ready && ++ready === WORKERS) {
            clearTimeout(guard);
            resolve();
          } else if (!m.ready) answers.push(m);
        });
        w.on('exit', (c) => c && reject(new Error(`worker exited with ${c}`)));
        w.send({ url: publicUrl, sessionId, jobs: jobs.filter((_, i) => i % WORKERS === k) });
      }
    });
    const joinSeconds = (now() - joinStarted) / 1000;
    await new Promise((r) => setTimeout(r, 1000)); // let presence settle

    const launchedAt = now();
    const launch = await teacher.timeout(20000).emitWithAck('quiz:launch', {
      title: 'Bench question',
      newQuestions: [{ type: 'single', prompt: 'Pick one', options: OPTIONS, correct: 2 }],
    });
    if (!launch.ok) throw new Error(`launch: ${launch.error.code}`);
    const quiz = launch.data;
    const deadline = Date.now() + SPREAD_MS + 60_000;
    while (answers.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const accepted = answers.filter((a) => a.ok);
    // The last chart update due (coalesced per 100 ms per instance) has time to arrive.
    const settle = Date.now() + 5000;
    while ((tallies.at(-1)?.answered ?? 0) < accepted.length && Date.now() < settle)
      await new Promise((r) => setTimeout(r, 50));
    const finalTally = tallies.at(-1) ?? { answered: 0, counts: OPTIONS.map(() => 0) };

    const closed = await teacher.timeout(20000).emitWithAck('quiz:close', { quizId: quiz.id });
    if (!closed.ok) throw new Error(`close: ${closed.error.code}`);
    const [stored] = await q(
      `SELECT count(*)::int AS n, count(DISTINCT user_id)::int AS people FROM quiz_answer WHERE quiz_id = $1`,
      [quiz.id],
    );
    const byChoice = await q(
      `SELECT (answer->>'choice')::int AS choice, count(*)::int AS n FROM quiz_answer WHERE quiz_id = $1 GROUP BY 1 ORDER BY 1`,
      [quiz.id],
    );
    const storedCounts = OPTIONS.map((_, c) => byChoice.find((r) => r.choice === c)?.n ?? 0);
    const expectedCounts = OPTIONS.map((_, c) => accepted.filter((a) => a.i % OPTIONS.length === c).length);

    // Answer-to-chart-update (see the definition at the top): U_i = answers sent no later than i's ack.
    const sends = answers.map((a) => a.sent).sort((x, y) => x - y);
    const upTo = (t) => {
      let lo = 0;
      let hi = sends.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sends[mid] <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const chartMs = [];
    const chartLowerMs = [];
    let neverCharted = 0;
    const ackTimes = accepted.map((a) => a.acked).sort((x, y) => x - y);
    for (const a of accepted) {
      const need = upTo(a.acked);
      const t = tallies.find((x) => x.answered >= need && x.at >= a.sent);
      if (t) chartMs.push(t.at - a.sent);
      else neverCharted++;
      // The same with the lower bound of i's position, 1 + #{ j : a_j < s_i }: how loose the bound is.
      const least = 1 + ackTimes.filter((x) => x < a.sent).length;
      const early = tallies.find((x) => x.answered >= least && x.at >= a.sent);
      if (early) chartLowerMs.push(early.at - a.sent);
    }
    const lost = {
      acceptedButNotInFinalChart: accepted.length - finalTally.answered,
      acceptedButNotInPostgres: accepted.length - stored.n,
      finalChartCounts: finalTally.counts,
      postgresCounts: storedCounts,
      expectedCounts,
      countsAgree:
        JSON.stringify(finalTally.counts) === JSON.stringify(expectedCounts) &&
        JSON.stringify(storedCounts) === JSON.stringify(expectedCounts),
      postgresDistinctStudents: stored.people,
    };
    const figures = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      students: N,
      instances: 2,
      split: 'round robin through scripts/lb-proxy.mjs (instructor first, then the students: half on each instance)',
      answerSpreadMs: SPREAD_MS,
      joinSeconds: +joinSeconds.toFixed(1),
      answersSent: answers.length,
      accepted: accepted.length,
      refused: answers.length - accepted.length,
      refusalCodes: [...new Set(answers.filter((a) => !a.ok).map((a) => a.code))],
      answeringWindowMs: +(Math.max(...answers.map((a) => a.sent)) - Math.min(...answers.map((a) => a.sent))).toFixed(
        0,
      ),
      launchToStudentSeenMs: summary(answers.map((a) => a.seen - launchedAt)),
      answerToAckMs: summary(accepted.map((a) => a.acked - a.sent)),
      answerToChartUpdateMs: { ...summary(chartMs), neverCharted },
      answerToChartUpdateLowerBoundMs: summary(chartLowerMs),
      chartUpdatesReceived: tallies.length,
      // Per option, acks the chart or Postgres falls short of; the larger of the two.
      answersLost: Math.max(
        ...[finalTally.counts, storedCounts].map((seen) =>
          expectedCounts.reduce((sum, e, c) => sum + Math.max(0, e - (seen[c] ?? 0)), 0),
        ),
      ),
      lost,
      definition:
        'answer-to-chart-update: from the student sending answer i to the arrival, at the instructor socket, of the first quiz:tally whose answered >= #{answers sent no later than i was acked} (an upper bound of the position of i in Redis order, so the figure is an upper bound). Clocks: one machine, performance.timeOrigin + performance.now().',
    };
    console.log(JSON.stringify(figures, null, 2));
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bench/results/quiz.json'), JSON.stringify(figures, null, 2) + '\n');
  } finally {
    teacher?.disconnect();
    for (const w of workers) w.connected && w.send('close');
    await db?.end().catch(() => undefined);
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)))));
    await proxy.close();
    await redisServer.stop();
    await pgServer.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') await worker();
else await main();
