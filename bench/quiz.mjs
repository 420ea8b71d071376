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
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg, root, seedCourse, startBenchStack } from './lib/fixture.mjs';

const N = numberArg('students', 300);
const SPREAD_MS = numberArg('spread-ms', 5000);
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
  const { io } = await import('socket.io-client');
  const stack = await startBenchStack({ instances: 2, tmpPrefix: 'lectern-bench-quiz-' });
  const { publicUrl, query: q } = stack;
  const workers = [];
  let teacher;
  try {
    // One course, one classroom with a live class, an instructor and N students (made directly in the
    // database: the benchmark measures answering, not LTI launches), tokens signed as a launch's are.
    const course = await seedCourse(stack, { key: 'bench-quiz', students: N });
    const { sessionId } = course.rooms[0];
    // Answer moments spread evenly over the window, in an order unrelated to the connection order.
    const jobs = course.students.map(({ i, token }) => ({
      i,
      token,
      choice: i % OPTIONS.length,
      delayMs: Math.floor((((i * 7919) % N) / N) * SPREAD_MS),
    }));
    const teacherToken = course.teacher.token;

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
    await stack.stop();
  }
}

if (process.argv[2] === '--worker') await worker();
else await main();
