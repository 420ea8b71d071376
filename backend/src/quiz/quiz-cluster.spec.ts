import crypto from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents } from '../contracts/realtime';
import { QuizEvents, QuizServerEvents, type QuizAckData, type QuizServerPayloads } from '../contracts/quiz';
import { SessionTokens } from '../platform/auth/session-token';
import { Cluster, startCluster } from '../testing/cluster';
import { decodeClaims } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { waitFor } from '../testing/wait-for';

const STUDENTS = 300;

/**
 * Two real backend processes (the built server) on one Redis and one Postgres. 300 students spread
 * over both answer at once; then the instance that launched a timed quiz is killed with SIGKILL and the
 * quiz must still close on time (the Bull job runs on the other) with its scores in the grade outbox.
 */
describe('quizzes across two backend instances', () => {
  const secret = crypto.randomBytes(24).toString('hex');
  const clients: RoomClient[] = [];
  let cluster: Cluster;
  let db: Client;
  let sessionId: string;
  let teacherToken: string;
  const students: Array<{ userId: string; token: string }> = [];

  beforeAll(async () => {
    cluster = await startCluster(2, { SESSION_SECRET: secret });
    db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    teacherToken = await cluster.launch.launch('phys-101', 'dev-ada');
    sessionId = (
      (await (await cluster.launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    // The students are made directly (the test is about answers, not 300 LTI launches), with tokens signed like a launch's.
    const raw = decodeClaims(teacherToken) as { plt: string; dep: string; crs: string; act: string };
    const claims = { platformId: raw.plt, deploymentId: raw.dep, courseId: raw.crs, activityId: raw.act };
    const tokens = new SessionTokens(secret, cluster.proxyUrl, 3600);
    const { rows } = await db.query(
      `INSERT INTO lti_user (platform_id, subject, name) SELECT $1, 'quiz-student-' || i, 'Student ' || i FROM generate_series(1, $2::int) AS i RETURNING id`,
      [claims.platformId, STUDENTS],
    );
    for (const [i, r] of rows.entries()) {
      const { token } = await tokens.issue({
        userId: r.id,
        platformId: claims.platformId,
        deploymentId: claims.deploymentId,
        courseId: claims.courseId,
        activityId: claims.activityId,
        role: 'learner',
        name: `Student ${i}`,
      });
      students.push({ userId: r.id, token });
    }
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await db?.end();
    await cluster?.close();
  });

  const join = async (port: number, token: string) => {
    const c = new RoomClient(`http://localhost:${port}`, token);
    clients.push(c);
    await c.connected();
    const ack = await c.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    return c;
  };
  const call = async <E extends keyof QuizAckData>(c: RoomClient, event: E, payload: unknown) =>
    c.call<QuizAckData[E]>(event, payload);

  it('counts 300 answers arriving at once over two instances exactly once, and refuses every second answer', async () => {
    const teacher = await join(cluster.ports[0], teacherToken);
    const socks: RoomClient[] = [];
    for (let i = 0; i < STUDENTS; i += 25) {
      socks.push(
        ...(await Promise.all(students.slice(i, i + 25).map((s, j) => join(cluster.ports[(i + j) % 2], s.token)))),
      );
    }
    const launched = await call(teacher, QuizEvents.launch, {
      title: 'Storm',
      newQuestions: [{ type: 'single', prompt: 'Pick', options: ['a', 'b', 'c', 'd'], correct: 2 }],
    });
    if (!launched.ok) throw new Error(JSON.stringify(launched.error));
    const quiz = launched.data;
    const questionId = quiz.questions[0].id;
    await Promise.all(
      socks.map((s) =>
        s.waitFor<QuizServerPayloads, typeof QuizServerEvents.launched>(
          QuizServerEvents.launched,
          (v) => v.quiz.id === quiz.id,
          20_000,
        ),
      ),
    );

    const answer = (s: RoomClient, i: number) =>
      call(s, QuizEvents.answer, { quizId: quiz.id, questionId, answer: { type: 'single', choice: i % 4 } });
    const acks = await Promise.all(socks.map((s, i) => answer(s, i)));
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    // Every student again, at once, from a second connection on the other instance: all refused.
    const seconds = await Promise.all(
      socks.slice(0, 40).map(async (_s, i) => answer(await join(cluster.ports[(i + 1) % 2], students[i].token), i + 1)),
    );
    expect(seconds.map((a) => (a.ok ? 'OK' : a.error.code))).toEqual(Array(40).fill('ALREADY_ANSWERED'));

    const tally = await teacher.waitFor<QuizServerPayloads, typeof QuizServerEvents.tally>(
      QuizServerEvents.tally,
      (t) => t.quizId === quiz.id && t.answered === STUDENTS,
      20_000,
    );
    expect(tally.questions[0].bars.map((b) => b.count)).toEqual([75, 75, 75, 75]);
    expect(tally.present).toBe(STUDENTS);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n, count(DISTINCT user_id)::int AS people FROM quiz_answer WHERE quiz_id = $1`,
      [quiz.id],
    );
    expect(rows[0]).toEqual({ n: STUDENTS, people: STUDENTS });
    const closed = await call(teacher, QuizEvents.close, { quizId: quiz.id });
    expect(closed.ok).toBe(true);
    expect((await db.query(`SELECT count(*)::int AS n FROM quiz_answer WHERE quiz_id = $1`, [quiz.id])).rows[0].n).toBe(
      STUDENTS,
    );
    for (const s of socks.slice(40)) s.close();
  }, 180_000);

  it('closes on time and grades when the instance that launched the quiz is killed mid-quiz', async () => {
    const teacher = await join(cluster.ports[0], teacherToken);
    const onB = await Promise.all(students.slice(0, 3).map((s) => join(cluster.ports[1], s.token)));
    const launched = await call(teacher, QuizEvents.launch, {
      title: 'Timed',
      newQuestions: [{ type: 'true_false', prompt: 'Sky is blue', correct: true }],
      graded: true,
      points: 5,
      zeroForUnanswered: true,
      timeLimitSeconds: 5,
    });
    if (!launched.ok) throw new Error(JSON.stringify(launched.error));
    const quiz = launched.data;
    const questionId = quiz.questions[0].id;
    for (const [i, s] of onB.slice(0, 2).entries()) {
      const ack = await call(s, QuizEvents.answer, {
        quizId: quiz.id,
        questionId,
        answer: { type: 'true_false', value: i === 0 },
      });
      expect(ack.ok).toBe(true);
    }
    cluster.procs[0].kill('SIGKILL');
    await new Promise((r) => cluster.procs[0].once('exit', r));

    const closed = await onB[2].waitFor<QuizServerPayloads, typeof QuizServerEvents.closed>(
      QuizServerEvents.closed,
      (c) => c.quizId === quiz.id,
      20_000,
    );
    expect(closed.reason).toBe('time');
    const [row] = (
      await db.query(`SELECT close_reason, extract(epoch FROM closed_at - closes_at) AS late FROM quiz WHERE id = $1`, [
        quiz.id,
      ])
    ).rows;
    expect(row.close_reason).toBe('time');
    expect(Number(row.late)).toBeLessThan(5);
    const grades = await waitFor(async () => {
      const { rows } = await db.query(
        `SELECT o.user_id, o.score_given::float AS score, o.score_maximum::float AS max FROM grade_outbox o JOIN grade_line_item li ON li.id = o.line_item_id WHERE li.tag = $1`,
        [`lectern-quiz:${quiz.id}`],
      );
      return rows.length ? rows : null;
    }, 'the quiz grades in the outbox');
    const byUser = new Map(grades.map((g: { user_id: string; score: number }) => [g.user_id, g.score]));
    expect(byUser.get(students[0].userId)).toBe(5);
    expect(byUser.get(students[1].userId)).toBe(0);
    // Present (on the surviving instance) and unanswered: 0, as the instructor chose.
    expect(byUser.get(students[2].userId)).toBe(0);
    expect(grades.every((g: { max: number }) => g.max === 5)).toBe(true);
    expect(
      await call(onB[2], QuizEvents.answer, {
        quizId: quiz.id,
        questionId,
        answer: { type: 'true_false', value: true },
      }),
    ).toMatchObject({ ok: false, error: { code: 'QUIZ_CLOSED' } });
  }, 120_000);
});
