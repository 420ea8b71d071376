import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents } from '../contracts/realtime';
import {
  QuizEvents,
  QuizServerEvents,
  type QuizAckData,
  type QuizResults,
  type QuizServerPayloads,
} from '../contracts/quiz';
import { DomainEvents, type DomainEventMap } from '../platform/domain-events';
import { LaunchClient } from '../testing/lti-client';
import { QUIZ_QUEUE } from './quiz-grading.service';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';

type Answered = DomainEventMap['quiz.answered'];

/**
 * Around a quiz (one app, real Postgres/Redis/Bull): the engagement event of each accepted answer, an
 * anonymous poll that keeps no trace of who answered what once closed, and the end of class closing the
 * open quiz with its scores in the outbox.
 */
describe('quizzes and what happens around them', () => {
  let t: TestApp;
  let client: LaunchClient;
  let redis: Redis;
  let teacher: string;
  let sessionId: string;
  const sockets: RoomClient[] = [];
  const people: Record<string, RoomClient> = {};
  const ids: Record<string, string> = {};
  const answered: Answered[] = [];

  const ok = async <E extends keyof QuizAckData>(c: RoomClient, event: E, payload: unknown) => {
    const ack = await c.call<QuizAckData[E]>(event, payload);
    if (!ack.ok) throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
    return ack.data;
  };
  const code = async (c: RoomClient, payload: unknown) => {
    const ack = await c.call(QuizEvents.answer, payload);
    return ack.ok ? 'OK' : ack.error.code;
  };
  const join = async (token: string) => {
    const c = new RoomClient(t.url, token);
    sockets.push(c);
    await c.connected();
    const ack = await c.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    return c;
  };
  const userId = async (subject: string) =>
    ((await t.db.query(`SELECT id FROM lti_user WHERE subject = $1`, [subject])) as Array<{ id: string }>)[0].id;

  beforeAll(async () => {
    t = await startTestApp();
    client = new LaunchClient(t);
    redis = new Redis(t.config.redisUrl);
    t.app
      .get(DomainEvents)
      .on('quiz.answered')
      .subscribe((e) => answered.push(e));
    teacher = await client.launch('phys-101', 'dev-ada');
    const res = await client.api('/api/classroom/sessions', teacher, { method: 'POST' });
    sessionId = ((await res.json()) as { session: { id: string } }).session.id;
    people.ada = await join(teacher);
    people.grace = await join(await client.launch('phys-101', 'dev-grace'));
    people.alan = await join(await client.launch('phys-101', 'dev-alan'));
    for (const s of ['dev-grace', 'dev-alan']) ids[s] = await userId(s);
  }, 120_000);

  afterAll(async () => {
    for (const c of sockets) c.close();
    redis?.disconnect();
    await t?.close();
  });

  it('tells engagement of each accepted answer once (answer time, right or not; null for a poll), never of a refused one', async () => {
    const quiz = await ok(people.ada, QuizEvents.launch, {
      title: 'Signals',
      newQuestions: [
        { type: 'single', prompt: 'Two plus two?', options: ['3', '4'], correct: 1 },
        { type: 'multiple', prompt: 'Primes?', options: ['2', '3', '4'], correct: [0, 1] },
        { type: 'poll', prompt: 'Pace?', options: ['slow', 'fast'] },
      ],
    });
    const [single, multiple, poll] = quiz.questions.map((q) => q.id);
    const answer = (c: RoomClient, questionId: string, a: unknown) =>
      ok(c, QuizEvents.answer, { quizId: quiz.id, questionId, answer: a });
    const graceSingle = await answer(people.grace, single, { type: 'single', choice: 1 });
    await answer(people.alan, single, { type: 'single', choice: 0 });
    await answer(people.grace, multiple, { type: 'multiple', choices: [0] }); // half marks: not right
    await answer(people.alan, poll, { type: 'poll', choices: [1] });
    // Refused: a second answer, a wrong type, an instructor, a question never asked.
    expect(
      await code(people.grace, { quizId: quiz.id, questionId: single, answer: { type: 'single', choice: 0 } }),
    ).toBe('ALREADY_ANSWERED');
    expect(
      await code(people.alan, { quizId: quiz.id, questionId: multiple, answer: { type: 'single', choice: 0 } }),
    ).toBe('ANSWER_TYPE_MISMATCH');
    expect(await code(people.ada, { quizId: quiz.id, questionId: poll, answer: { type: 'poll', choices: [0] } })).toBe(
      'STUDENTS_ONLY',
    );
    expect(
      await code(people.alan, {
        quizId: quiz.id,
        questionId: crypto.randomUUID(),
        answer: { type: 'poll', choices: [0] },
      }),
    ).toBe('QUESTION_NOT_IN_QUIZ');
    await ok(people.ada, QuizEvents.close, { quizId: quiz.id });
    expect(
      await code(people.alan, { quizId: quiz.id, questionId: multiple, answer: { type: 'multiple', choices: [0] } }),
    ).toBe('QUIZ_CLOSED');

    const courseId = (
      (await t.db.query(`SELECT course_id FROM quiz WHERE id = $1`, [quiz.id])) as Array<{ course_id: string }>
    )[0].course_id;
    expect(answered.map(({ answerMs: _ms, ...rest }) => rest)).toEqual([
      { sessionId, courseId, quizId: quiz.id, questionId: single, userId: ids['dev-grace'], correct: true },
      { sessionId, courseId, quizId: quiz.id, questionId: single, userId: ids['dev-alan'], correct: false },
      { sessionId, courseId, quizId: quiz.id, questionId: multiple, userId: ids['dev-grace'], correct: false },
      { sessionId, courseId, quizId: quiz.id, questionId: poll, userId: ids['dev-alan'], correct: null },
    ]);
    expect(answered[0].answerMs).toBe(graceSingle.answerMs);
    expect(answered.every((e) => e.answerMs >= 0)).toBe(true);
  });

  it('forgets who answered an anonymous poll when it closes; its results and stored answers name nobody', async () => {
    const quiz = await ok(people.ada, QuizEvents.launch, {
      title: 'Honest feedback',
      anonymous: true,
      newQuestions: [
        { type: 'poll', prompt: 'Clear?', options: ['yes', 'no'] },
        { type: 'poll', prompt: 'Pace?', options: ['slow', 'ok', 'fast'] },
      ],
    });
    const [clear, pace] = quiz.questions.map((q) => q.id);
    const vote = (c: RoomClient, questionId: string, choice: number) =>
      ok(c, QuizEvents.answer, { quizId: quiz.id, questionId, answer: { type: 'poll', choices: [choice] } });
    await vote(people.grace, clear, 0);
    await vote(people.alan, clear, 1);
    await vote(people.grace, pace, 2);
    const respondentsKeys = [`quiz:{${quiz.id}}:who`, `quiz:{${quiz.id}}:a:${clear}`, `quiz:{${quiz.id}}:a:${pace}`];
    // While open, Redis knows who answered (one answer each, changes, the student's own view).
    expect(await redis.hkeys(respondentsKeys[1])).toEqual(expect.arrayContaining([ids['dev-grace'], ids['dev-alan']]));

    await ok(people.ada, QuizEvents.close, { quizId: quiz.id });
    expect(await redis.exists(...respondentsKeys)).toBe(0);
    expect(await redis.hgetall(`quiz:{${quiz.id}}:t:${clear}`)).toEqual({ '0': '1', '1': '1' }); // counts stay
    expect(await code(people.alan, { quizId: quiz.id, questionId: pace, answer: { type: 'poll', choices: [0] } })).toBe(
      'QUIZ_CLOSED',
    );

    // Stored without a name or a time of its own (a time could be matched with the engagement event).
    const rows = (await t.db.query(`SELECT respondent, user_id, answer_ms FROM quiz_answer WHERE quiz_id = $1`, [
      quiz.id,
    ])) as Array<{ respondent: string; user_id: string | null; answer_ms: number }>;
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r.user_id).toBeNull();
      expect(r.answer_ms).toBe(0);
      expect(Object.values(ids)).not.toContain(r.respondent);
    }
    const results = (await (await client.api(`/api/quiz/quizzes/${quiz.id}/results`, teacher)).json()) as QuizResults;
    expect(results.students).toEqual([]);
    expect(results.quiz.answered).toBe(2);
    expect(results.questions.map((q) => q.tally.bars.map((b) => b.count))).toEqual([
      [1, 1],
      [0, 0, 1],
    ]);
    const named = /Grace|Alan|dev-grace|dev-alan/;
    expect(JSON.stringify(results)).not.toMatch(named);
    for (const id of Object.values(ids)) expect(JSON.stringify(results)).not.toContain(id);
    const csv = await (await client.api(`/api/quiz/quizzes/${quiz.id}/results.csv`, teacher)).text();
    expect(csv.trim().split('\r\n')).toHaveLength(1); // the header only
    // The live chart and the reveal still count every vote (from Postgres, now that Redis has no respondents).
    const live = await ok(people.ada, QuizEvents.results, { quizId: quiz.id });
    expect(live.tally.answered).toBe(2);
    expect(live.tally.questions.map((q) => [q.answered, q.bars.map((b) => b.count)])).toEqual([
      [2, [1, 1]],
      [1, [0, 0, 1]],
    ]);
    await ok(people.ada, QuizEvents.reveal, { quizId: quiz.id });
    const revealed = await people.grace.waitFor<QuizServerPayloads, typeof QuizServerEvents.revealed>(
      QuizServerEvents.revealed,
      (r) => r.quizId === quiz.id,
    );
    expect(revealed.questions[0].tally.answered).toBe(2);
    expect(JSON.stringify(revealed)).not.toMatch(named);
    expect(people.grace.got<QuizServerPayloads, typeof QuizServerEvents.result>(QuizServerEvents.result)).toEqual([]);
  });

  it('closes the open quiz when the class ends: scores in the outbox as on a normal close, joiners after launch counted present', async () => {
    const quiz = await ok(people.ada, QuizEvents.launch, {
      title: 'Exit ticket',
      graded: true,
      points: 10,
      zeroForUnanswered: true,
      timeLimitSeconds: 600,
      newQuestions: [{ type: 'true_false', prompt: 'Light is a wave?', correct: true }],
    });
    await ok(people.grace, QuizEvents.answer, {
      quizId: quiz.id,
      questionId: quiz.questions[0].id,
      answer: { type: 'true_false', value: true },
    });
    const closeJob = `${t.config.queuePrefix}:quiz:close:${quiz.id}`;
    expect(await redis.exists(closeJob)).toBe(1);
    // Barbara comes in after the launch and does not answer; Alan (present at launch) does not either.
    people.barbara = await join(await client.launchAs('phys-101', 'Barbara Late'));

    // This instance runs no quiz job meanwhile (the sweep would close it too, a few seconds later).
    const queue = t.app.get<Queue>(getQueueToken(QUIZ_QUEUE));
    await queue.pause(true);
    const end = await client.api(`/api/classroom/sessions/${sessionId}/end`, teacher, { method: 'POST' });
    expect(end.status).toBe(200);
    const row = await waitFor(async () => {
      const [r] = await t.db.query(`SELECT closed_at, close_reason FROM quiz WHERE id = $1`, [quiz.id]);
      return r.closed_at ? r : null;
    }, 'the quiz to close with the class');
    expect(row.close_reason).toBe('teacher');
    await queue.resume(true);
    const outbox = await waitFor(async () => {
      const rows = await t.db.query(
        `SELECT u.name, o.score_given::float AS score FROM grade_outbox o JOIN grade_line_item li ON li.id = o.line_item_id
           JOIN lti_user u ON u.id = o.user_id WHERE li.tag = $1 ORDER BY u.name`,
        [`lectern-quiz:${quiz.id}`],
      );
      return rows.length ? rows : null;
    }, 'the scores in the outbox');
    expect(outbox).toEqual([
      { name: 'Alan Turing', score: 0 },
      { name: 'Barbara Late', score: 0 },
      { name: 'Grace Hopper', score: 10 },
    ]);
    // Its time limit's job is gone with it (nothing left to close it a second time).
    await waitFor(async () => !(await redis.exists(closeJob)), 'the close job to be removed');
  });
});
