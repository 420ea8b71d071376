import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents } from '../contracts/realtime';
import {
  QuizEvents,
  QuizServerEvents,
  type BankQuestion,
  type QuizAckData,
  type QuizResults,
  type QuizServerPayloads,
  type QuizTeacherView,
} from '../contracts/quiz';
import { DevLmsServices } from '../dev-platform/dev-lms-services';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';

type Ok<E extends keyof QuizAckData> =
  { ok: true; data: QuizAckData[E] } | { ok: false; error: { code: string; message: string } };

describe('live quizzes (real Postgres, Redis, Bull; dev LMS gradebook)', () => {
  let t: TestApp;
  let client: LaunchClient;
  let lms: DevLmsServices;
  let teacher: string;
  let sessionId: string;
  const sockets: RoomClient[] = [];
  const people: Record<string, RoomClient> = {};
  const bank: BankQuestion[] = [];

  const call = async <E extends keyof QuizAckData>(c: RoomClient, event: E, payload: unknown) =>
    (await c.call<QuizAckData[E]>(event, payload)) as Ok<E>;
  const ok = async <E extends keyof QuizAckData>(
    c: RoomClient,
    event: E,
    payload: unknown,
  ): Promise<QuizAckData[E]> => {
    const ack = await call(c, event, payload);
    if (!ack.ok) throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
    return ack.data;
  };
  const code = async (c: RoomClient, event: keyof QuizAckData, payload: unknown) => {
    const ack = await call(c, event, payload);
    return ack.ok ? 'OK' : ack.error.code;
  };
  const heard = <E extends keyof QuizServerPayloads>(
    c: RoomClient,
    event: E,
    match: (p: QuizServerPayloads[E]) => boolean = () => true,
  ) => c.waitFor<QuizServerPayloads, E>(event, match);
  const join = async (token: string) => {
    const c = new RoomClient(t.url, token);
    sockets.push(c);
    await c.connected();
    const ack = await c.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    return c;
  };
  const api = (path: string, token: string, init: RequestInit = {}) => client.api(path, token, init);

  beforeAll(async () => {
    t = await startTestApp();
    client = new LaunchClient(t);
    lms = t.app.get(DevLmsServices);
    teacher = await client.launch('phys-101', 'dev-ada');
    sessionId = (
      (await (await api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as { session: { id: string } }
    ).session.id;
    // The classroom's quiz points, as deep linking ("Grade quizzes, out of N points") stores them.
    await t.db.query(
      `UPDATE classroom_activity SET quiz_points = 12 WHERE id = (SELECT activity_id FROM live_session WHERE id = $1)`,
      [sessionId],
    );
    people.ada = await join(teacher);
    people.grace = await join(await client.launch('phys-101', 'dev-grace'));
    people.alan = await join(await client.launch('phys-101', 'dev-alan'));
    people.barbara = await join(await client.launchAs('phys-101', 'Barbara Present'));
    await client.launchAs('phys-101', 'Absent Student'); // launched, never in class
    for (const draft of [
      { type: 'single', prompt: 'Capital of France?', options: ['Lyon', 'Paris'], correct: 1 },
      { type: 'multiple', prompt: 'Primes?', options: ['2', '3', '4'], correct: [0, 1] },
      { type: 'short', prompt: 'Largest planet?', accepted: ['Jupiter'] },
    ]) {
      const res = await api('/api/quiz/questions', teacher, { method: 'POST', body: JSON.stringify(draft) });
      expect(res.status).toBe(201);
      bank.push((await res.json()) as BankQuestion);
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of sockets) c.close();
    await t?.close();
  });

  it('keeps a question bank per course, for instructors only', async () => {
    const list = (await (await api('/api/quiz/questions', teacher)).json()) as BankQuestion[];
    expect(list.map((q) => q.question.prompt)).toEqual(['Capital of France?', 'Primes?', 'Largest planet?']);
    const student = await client.launch('phys-101', 'dev-grace');
    expect((await api('/api/quiz/questions', student)).status).toBe(403);
    expect(
      (
        await api('/api/quiz/questions', student, {
          method: 'POST',
          body: JSON.stringify({ type: 'true_false', prompt: 'x', correct: true }),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api('/api/quiz/questions', teacher, {
          method: 'POST',
          body: JSON.stringify({ type: 'single', prompt: 'x', options: ['a'], correct: 0 }),
        })
      ).status,
    ).toBe(400);
    // Another course's instructor neither sees nor launches this course's questions.
    const other = await client.launch('hist-210', 'dev-ada');
    expect(await (await api('/api/quiz/questions', other)).json()).toEqual([]);
    expect((await api(`/api/quiz/questions/${bank[0].id}`, other, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses students the instructor events, a question of another course, and anonymous quizzes of questions', async () => {
    for (const [event, payload] of [
      [QuizEvents.launch, { title: 'x', questionIds: [bank[0].id] }],
      [QuizEvents.close, { quizId: crypto.randomUUID() }],
      [QuizEvents.reveal, { quizId: crypto.randomUUID() }],
      [QuizEvents.results, { quizId: crypto.randomUUID() }],
    ] as const) {
      expect(await code(people.grace, event, payload)).toBe('TEACHER_ONLY');
    }
    const foreign = await api('/api/quiz/questions', await client.launch('hist-210', 'dev-ada'), {
      method: 'POST',
      body: JSON.stringify({ type: 'true_false', prompt: 'Other course', correct: true }),
    });
    const foreignId = ((await foreign.json()) as BankQuestion).id;
    expect(await code(people.ada, QuizEvents.launch, { title: 'x', questionIds: [foreignId] })).toBe(
      'QUESTION_NOT_FOUND',
    );
    expect(await code(people.ada, QuizEvents.launch, { title: 'x', questionIds: [bank[0].id], anonymous: true })).toBe(
      'ANONYMOUS_NEEDS_POLLS',
    );
    expect(await code(people.ada, QuizEvents.launch, { title: 'x' })).toBe('INVALID_PAYLOAD');
    expect(await t.db.query(`SELECT id FROM quiz`)).toEqual([]);
  });

  let quiz: QuizTeacherView;

  it('launches a graded quiz: students see the questions without answers, instructors the answers and the chart', async () => {
    quiz = await ok(people.ada, QuizEvents.launch, {
      title: 'Warm-up',
      questionIds: bank.map((q) => q.id),
      graded: true,
      zeroForUnanswered: true,
    });
    expect(quiz.points).toBe(12); // the classroom's quiz points
    expect(quiz.tally).toMatchObject({ present: 3, answered: 0 });
    const seen = await heard(people.grace, QuizServerEvents.launched, (v) => v.quiz.id === quiz.id);
    expect(seen.role).toBe('student');
    expect(JSON.stringify(seen)).not.toMatch(/"correct"|"accepted"|Jupiter/);
    expect((await heard(people.ada, QuizServerEvents.launched, (v) => v.quiz.id === quiz.id)).role).toBe('teacher');
    expect(await code(people.ada, QuizEvents.launch, { title: 'Second', questionIds: [bank[0].id] })).toBe(
      'QUIZ_ALREADY_OPEN',
    );
  });

  it('takes one answer per student and question, refuses bad ones with a code, and charts them for instructors only', async () => {
    const [single, multiple, short] = bank.map((q) => q.id);
    const answer = (c: RoomClient, questionId: string, a: unknown, quizId = quiz.id) =>
      call(c, QuizEvents.answer, { quizId, questionId, answer: a });
    const first = await answer(people.grace, single, { type: 'single', choice: 1 });
    expect(first.ok && first.data.changed).toBe(false);
    expect(first.ok && first.data.answerMs).toBeGreaterThanOrEqual(0);
    expect(
      ((await answer(people.grace, single, { type: 'single', choice: 0 })) as { error: { code: string } }).error.code,
    ).toBe('ALREADY_ANSWERED');
    expect(((await answer(people.grace, multiple, { type: 'multiple', choices: [0, 2] })) as { ok: boolean }).ok).toBe(
      true,
    );
    expect(((await answer(people.grace, short, { type: 'short', text: '  JUPITER ' })) as { ok: boolean }).ok).toBe(
      true,
    );
    expect(((await answer(people.alan, single, { type: 'single', choice: 0 })) as { ok: boolean }).ok).toBe(true);
    expect(((await answer(people.alan, short, { type: 'short', text: 'Jupitor' })) as { ok: boolean }).ok).toBe(true);
    const refusals = await Promise.all([
      answer(people.alan, crypto.randomUUID(), { type: 'single', choice: 0 }), // never launched
      answer(people.alan, single, { type: 'single', choice: 0 }, crypto.randomUUID()), // no such quiz
      answer(people.alan, multiple, { type: 'single', choice: 0 }),
      answer(people.alan, multiple, { type: 'multiple', choices: [7] }),
      answer(people.ada, single, { type: 'single', choice: 1 }),
    ]);
    expect(refusals.map((r) => (r.ok ? 'OK' : r.error.code))).toEqual([
      'QUESTION_NOT_IN_QUIZ',
      'QUIZ_NOT_FOUND',
      'ANSWER_TYPE_MISMATCH',
      'OPTION_OUT_OF_RANGE',
      'STUDENTS_ONLY',
    ]);

    const tally = await heard(
      people.ada,
      QuizServerEvents.tally,
      (x) => x.quizId === quiz.id && x.answered === 2 && x.questions[2].answered === 2,
    );
    expect(tally.present).toBe(3);
    expect(tally.questions[0].bars.map((b) => [b.label, b.count, b.correct])).toEqual([
      ['Lyon', 1, false],
      ['Paris', 1, true],
    ]);
    expect(tally.questions[2].bars.map((b) => [b.label, b.count])).toEqual([
      ['jupiter', 1],
      ['jupitor', 1],
    ]);
    await new Promise((r) => setTimeout(r, 300));
    for (const s of [people.grace, people.alan, people.barbara])
      expect(s.got<QuizServerPayloads, typeof QuizServerEvents.tally>(QuizServerEvents.tally)).toEqual([]);
    const rows = await t.db.query(`SELECT count(*)::int AS n FROM quiz_answer WHERE quiz_id = $1`, [quiz.id]);
    expect(rows[0].n).toBe(5);
  });

  it('closes once: later answers are refused, scores go to the outbox and to their own LMS column; absent students get nothing', async () => {
    const closed = await ok(people.ada, QuizEvents.close, { quizId: quiz.id });
    expect((await ok(people.ada, QuizEvents.close, { quizId: quiz.id })).closedAt).toBe(closed.closedAt);
    expect((await heard(people.alan, QuizServerEvents.closed, (x) => x.quizId === quiz.id)).reason).toBe('teacher');
    expect(
      await code(people.barbara, QuizEvents.answer, {
        quizId: quiz.id,
        questionId: bank[0].id,
        answer: { type: 'single', choice: 1 },
      }),
    ).toBe('QUIZ_CLOSED');

    // Closing stored what Redis had without a second copy of any answer.
    expect((await t.db.query(`SELECT count(*)::int AS n FROM quiz_answer WHERE quiz_id = $1`, [quiz.id]))[0].n).toBe(5);
    const outbox = await t.db.query(
      `SELECT u.name, o.score_given::float AS score, o.score_maximum::float AS max FROM grade_outbox o JOIN grade_line_item li ON li.id = o.line_item_id
         JOIN lti_user u ON u.id = o.user_id WHERE li.tag = $1 ORDER BY u.name`,
      [`lectern-quiz:${quiz.id}`],
    );
    // Grace: 1 + (1-1)/2 + 1 = 2 of 3 → 8; Alan: 0 + 0 + 0 → 0; Barbara present, unanswered → 0; the absent student: no row.
    expect(outbox).toEqual([
      { name: 'Alan Turing', score: 0, max: 12 },
      { name: 'Barbara Present', score: 0, max: 12 },
      { name: 'Grace Hopper', score: 8, max: 12 },
    ]);
    const gradebook = await waitFor(async () => {
      const g = await lms.gradebook('phys-101');
      return g.scores.filter((s) => g.items.some((i) => i.id === s.lineitem_id && i.tag === `lectern-quiz:${quiz.id}`))
        .length === 2
        ? g
        : null;
    }, 'the quiz scores in the LMS gradebook');
    // (Barbara launched as a made-up person the dev LMS does not list in the course: it refuses her score.)
    expect(gradebook.scores.map((s) => [s.user_id, Number(s.score_given)]).sort()).toEqual([
      ['dev-alan', 0],
      ['dev-grace', 8],
    ]);
    const item = gradebook.items.find((i) => i.tag === `lectern-quiz:${quiz.id}`)!;
    expect(item).toMatchObject({ label: 'Live lectures: Warm-up' });
    expect(Number(item.score_maximum)).toBe(12);
  });

  it('re-marking a short answer updates the score with a newer outbox row; reveal sends each student their own result', async () => {
    const results = (await (await api(`/api/quiz/quizzes/${quiz.id}/results`, teacher)).json()) as QuizResults;
    const alan = results.students.find((s) => s.name === 'Alan Turing')!;
    const typo = alan.answers.find((a) => a.questionId === bank[2].id)!;
    expect(typo.fraction).toBe(0);
    const mark = await api(`/api/quiz/answers/${typo.answerId}/mark`, teacher, {
      method: 'PUT',
      body: JSON.stringify({ correct: true }),
    });
    expect(await mark.json()).toEqual({ answerId: typo.answerId, fraction: 1, score: 4 });
    expect(
      (
        await api(
          `/api/quiz/answers/${alan.answers.find((a) => a.questionId === bank[0].id)!.answerId}/mark`,
          teacher,
          { method: 'PUT', body: '{"correct":true}' },
        )
      ).status,
    ).toBe(409);
    const rows = await t.db.query(
      `SELECT o.score_given::float AS score, o.status FROM grade_outbox o JOIN grade_line_item li ON li.id = o.line_item_id JOIN lti_user u ON u.id = o.user_id
        WHERE li.tag = $1 AND u.name = 'Alan Turing' ORDER BY o.created_at`,
      [`lectern-quiz:${quiz.id}`],
    );
    expect(rows.map((r: { score: number }) => r.score)).toEqual([0, 4]);
    await waitFor(
      async () =>
        (await lms.gradebook('phys-101')).scores.some((s) => s.user_id === 'dev-alan' && Number(s.score_given) === 4),
      'the new score in the LMS',
    );

    await ok(people.ada, QuizEvents.reveal, { quizId: quiz.id });
    const revealed = await heard(people.grace, QuizServerEvents.revealed, (x) => x.quizId === quiz.id);
    expect(revealed.questions[0].question).toMatchObject({ type: 'single', correct: 1 });
    expect((await heard(people.alan, QuizServerEvents.result, (x) => x.quizId === quiz.id)).score).toBe(4);
    expect((await heard(people.grace, QuizServerEvents.result, (x) => x.quizId === quiz.id)).score).toBe(8);
    expect(
      people.grace
        .got<QuizServerPayloads, typeof QuizServerEvents.result>(QuizServerEvents.result)
        .every((r) => r.score === 8),
    ).toBe(true);

    const csv = await api(`/api/quiz/quizzes/${quiz.id}/results.csv`, teacher);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe(
      'quiz,student,present,score,points,question,prompt,answer,mark,marked_by_hand,answer_seconds',
    );
    expect(text).toContain('Warm-up,Alan Turing,true,4,12,3,Largest planet?,Jupitor,1,true,');
    // An instructor whose LMS speaks Spanish (launch locale es) gets the file in Spanish; the data is the same.
    const login = await client.login(await client.loginUrl('phys-101', 'dev-ada', { locale: 'es' }));
    const form = await client.authorize(login.authUrl);
    const spanish = await client.exchange(await client.codeOf(await client.postLaunch(form, login.cookie)));
    const es = await (await api(`/api/quiz/quizzes/${quiz.id}/results.csv`, spanish)).text();
    expect(es.split('\r\n')[0]).toBe(
      'cuestionario,estudiante,presente,puntuación,puntos,pregunta,enunciado,respuesta,nota,corregida_a_mano,segundos_respuesta',
    );
    expect(es).toContain('Warm-up,Alan Turing,true,4,12,3,Largest planet?,Jupitor,1,true,');
    expect((await api(`/api/quiz/quizzes/${quiz.id}/results`, await client.launch('hist-210', 'dev-ada'))).status).toBe(
      404,
    );
    expect(
      (await api(`/api/quiz/quizzes/${quiz.id}/results`, await client.launch('phys-101', 'dev-grace'))).status,
    ).toBe(403);
  });

  it('lets a student change an answer when allowed (counted once), and closes by itself at the time limit (a Bull job)', async () => {
    const q = await ok(people.ada, QuizEvents.launch, {
      title: 'Quick poll',
      newQuestions: [{ type: 'poll', prompt: 'Pace?', options: ['slow', 'ok', 'fast'] }],
      allowChange: true,
      timeLimitSeconds: 5,
    });
    const questionId = q.questions[0].id;
    expect(q.closesAt).not.toBeNull();
    const vote = (choice: number) =>
      ok(people.grace, QuizEvents.answer, { quizId: q.id, questionId, answer: { type: 'poll', choices: [choice] } });
    expect((await vote(0)).changed).toBe(false);
    expect((await vote(2)).changed).toBe(true);
    const tally = await heard(
      people.ada,
      QuizServerEvents.tally,
      (x) => x.quizId === q.id && x.questions[0].bars[2].count === 1,
    );
    expect(tally.questions[0].bars.map((b) => b.count)).toEqual([0, 0, 1]);
    expect(tally.questions[0].bars.every((b) => !('correct' in b))).toBe(true);
    const closed = await heard(people.barbara, QuizServerEvents.closed, (x) => x.quizId === q.id);
    expect(closed.reason).toBe('time');
    const [row] = await t.db.query(`SELECT closed_at - closes_at AS late, close_reason FROM quiz WHERE id = $1`, [
      q.id,
    ]);
    expect(row.close_reason).toBe('time');
    const [a] = await t.db.query(`SELECT answer FROM quiz_answer WHERE quiz_id = $1`, [q.id]);
    expect(a.answer).toEqual({ type: 'poll', choices: [2] });
    // The typed question is in the bank for next time.
    expect(
      ((await (await api('/api/quiz/questions', teacher)).json()) as BankQuestion[]).some((b) => b.id === questionId),
    ).toBe(true);
    // After a reconnect a student gets the quizzes back, without anyone else's answers.
    const sync = await ok(people.grace, QuizEvents.sync, {});
    expect(sync.quizzes.map((v) => v.role)).toEqual(['student', 'student']);
    const mine = sync.quizzes[0].role === 'student' ? sync.quizzes[0].quiz.mine : [];
    expect(mine.map((m) => m.answer)).toEqual([{ type: 'poll', choices: [2] }]);
  });
});
