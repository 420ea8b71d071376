import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuizEvents, QuizServerEvents, type QuizAckData, type QuizServerPayloads } from '../contracts/quiz';
import { ClientEvents } from '../contracts/realtime';
import { forgetRedisKeys } from '../testing/forget-redis-keys';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';
import { QUIZ_QUEUE } from './quiz-grading.service';
import { QUIZ_SWEEP } from './quiz-sweeper';

/**
 * A quiz's time limit is a delayed Bull job, kept only in Redis. When Redis loses it, the quiz must still
 * close (real Postgres, Redis, Bull; the app's keys deleted as FLUSHALL would, the shared test Redis kept).
 */
describe('a timed quiz whose timer Redis lost still closes, with its scores in the outbox', () => {
  let t: TestApp;
  let client: LaunchClient;
  let teacher: string;
  let sessionId: string;
  const sockets: RoomClient[] = [];
  const people: Record<string, RoomClient> = {};

  const ok = async <E extends keyof QuizAckData>(c: RoomClient, event: E, payload: unknown) => {
    const ack = await c.call<QuizAckData[E]>(event, payload);
    if (!ack.ok) throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
    return ack.data;
  };
  const join = async (token: string) => {
    const c = new RoomClient(t.url, token);
    sockets.push(c);
    await c.connected();
    const ack = await c.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    return c;
  };
  const queue = () => t.app.get<Queue>(getQueueToken(QUIZ_QUEUE));
  const launch = (title: string) =>
    ok(people.ada, QuizEvents.launch, {
      title,
      graded: true,
      points: 10,
      zeroForUnanswered: true,
      timeLimitSeconds: 5,
      newQuestions: [{ type: 'single', prompt: 'Pick b', options: ['a', 'b'], correct: 1 }],
    });
  const pick = (c: RoomClient, quiz: QuizAckData[typeof QuizEvents.launch], choice: number) =>
    ok(c, QuizEvents.answer, {
      quizId: quiz.id,
      questionId: quiz.questions[0].id,
      answer: { type: 'single', choice },
    });
  /** The quiz's row once closed: its reason and how late after its time limit, in ms. */
  const closedRow = (quizId: string, timeoutMs: number) =>
    waitFor(
      async () => {
        const [r] = await t.db.query(
          `SELECT close_reason, (extract(epoch FROM closed_at - closes_at) * 1000)::int AS late_ms FROM quiz WHERE id = $1 AND closed_at IS NOT NULL`,
          [quizId],
        );
        return r as { close_reason: string; late_ms: number } | undefined;
      },
      `quiz ${quizId} to close`,
      timeoutMs,
    );
  const outbox = (quizId: string) =>
    t.db.query(
      `SELECT u.name, o.score_given::float AS score FROM grade_outbox o JOIN grade_line_item li ON li.id = o.line_item_id
         JOIN lti_user u ON u.id = o.user_id WHERE li.tag = $1 ORDER BY u.name`,
      [`lectern-quiz:${quizId}`],
    );

  beforeAll(async () => {
    // The schedules are checked every 250 ms, so a loss is noticed at once (30 s in production).
    t = await startTestApp({ SCHEDULE_CHECK_MS: '250' });
    client = new LaunchClient(t);
    teacher = await client.launch('phys-101', 'dev-ada');
    const res = await client.api('/api/classroom/sessions', teacher, { method: 'POST' });
    sessionId = ((await res.json()) as { session: { id: string } }).session.id;
    people.ada = await join(teacher);
    people.grace = await join(await client.launch('phys-101', 'dev-grace'));
    people.alan = await join(await client.launch('phys-101', 'dev-alan'));
    people.carol = await join(await client.launchAs('phys-101', 'Carol Present'));
  }, 120_000);

  afterAll(async () => {
    for (const c of sockets) c.close();
    await t?.close();
  });

  it('Redis loses everything of the app (the timer, the sweep schedule, the live quiz): the quiz closes on time all the same', async () => {
    const quiz = await launch('Before the flush');
    await pick(people.grace, quiz, 1);
    expect(await queue().getJob(`close:${quiz.id}`)).not.toBeNull();

    // What FLUSHALL does to this app: its queues and the quiz's live state go.
    expect(await forgetRedisKeys(t.config.redisUrl, t.config.queuePrefix)).toBeGreaterThan(0);
    expect(await forgetRedisKeys(t.config.redisUrl, `quiz:{${quiz.id}}`)).toBeGreaterThan(0);
    expect(await queue().getJob(`close:${quiz.id}`)).toBeNull();
    // An answer during the loss is taken (the row says the quiz is open) and counted.
    await pick(people.alan, quiz, 0);

    const row = await closedRow(quiz.id, 15_000);
    expect(row.close_reason).toBe('time');
    // On time: the restored sweep queued its close again for the time limit (not a sweep period late).
    expect(row.late_ms).toBeLessThan(QUIZ_SWEEP.every);
    expect(
      (
        await people.carol.waitFor<QuizServerPayloads, typeof QuizServerEvents.closed>(
          QuizServerEvents.closed,
          (c) => c.quizId === quiz.id,
        )
      ).reason,
    ).toBe('time');
    expect(await outbox(quiz.id)).toEqual([
      { name: 'Alan Turing', score: 0 },
      { name: 'Carol Present', score: 0 },
      { name: 'Grace Hopper', score: 10 },
    ]);
    expect((await queue().getRepeatableJobs()).map((j) => `${j.name}/${j.id}/${j.every}`)).toEqual([
      `sweep/quiz-sweep/${QUIZ_SWEEP.every}`,
    ]);
  });

  it('Redis loses only the timer: the periodic sweep closes the quiz within a sweep period', async () => {
    const quiz = await launch('Lost timer');
    await pick(people.alan, quiz, 1);
    const job = await queue().getJob(`close:${quiz.id}`);
    expect(job).not.toBeNull();
    await job!.remove();

    const row = await closedRow(quiz.id, 20_000);
    expect(row.close_reason).toBe('time');
    expect(row.late_ms).toBeLessThan(QUIZ_SWEEP.every + 3_000);
    expect(await outbox(quiz.id)).toEqual([
      { name: 'Alan Turing', score: 10 },
      { name: 'Carol Present', score: 0 },
      { name: 'Grace Hopper', score: 0 },
    ]);
  });
});
