// Over 400 lines on purpose: one attack suite, so its two-instance cluster and its class are started once
// and every attacker is tried against the same state.
import crypto from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AttendanceEvents } from '../contracts/attendance';
import { BreakoutEvents } from '../contracts/breakout';
import { BroadcastEvents } from '../contracts/broadcast';
import { MediaEvents } from '../contracts/media';
import { QuizEvents } from '../contracts/quiz';
import { ClientEvents, RoomState } from '../contracts/realtime';
import { RecordingEvents } from '../contracts/recording';
import { SessionEvents } from '../contracts/session';
import { RecordingsEvents } from '../contracts/recording-playback';
import { WhiteboardEvents } from '../contracts/whiteboard';
import { startCluster, Cluster } from '../testing/cluster';
import { RawRoomSocket } from '../testing/raw-room-socket';
import { RoomClient } from '../testing/room-client';
import { waitFor } from '../testing/wait-for';
import { fingerprint, opus } from '../media/testing/signalling';

/**
 * The attack suite: real backend processes (two instances behind the load balancer), real sockets
 * spoken at the wire. Three attackers try every room, chat, whiteboard, media and teacher event
 * against a live class they have no right to act on — (a) learners and an instructor of another
 * course, (b) a student the instructor removed, (c) a learner of the class using teacher events —
 * each event pipelined behind `room:join` in ONE write, and each sent alone. Everything must be
 * refused with a code, and nothing written: board sequence, permissions and teacher view unchanged,
 * no chat row, no media host or policy, no recording pause, nobody muted or removed, the class still live.
 */
// Budgets that refill over 100 minutes: a flood's count does not depend on how slow a loaded machine is.
const FLOOD_RULES = [
  'room.join=80/60000',
  'chat=30/6000000',
  'hand=30/6000000',
  'room.media=30/6000000',
  'wb.op=200/6000000',
  'wb.user-bytes=1000000/6000000',
  'wb.board-bytes=40000/6000000',
  'wb.sync=80/6000000',
  'wb.follow=30/6000000',
  'wb.permissions=30/6000000',
  'media.join=10/6000000',
  'media.transport=30/6000000',
  'media.produce=30/6000000',
  'media.signal=30/6000000',
  'teacher=40/6000000',
  'quiz.answer=30/6000000',
  'quiz.teacher=30/6000000',
  'breakout.open=10/6000000',
  'breakout.teacher=30/6000000',
  'breakout.enter=10/6000000',
  'breakout.help=5/6000000',
  'breakout.sync=30/6000000',
  'recordings.watch=10/6000000',
].join(',');

describe('room security: every realtime action is authorised against its class (attack suite)', () => {
  let cluster: Cluster;
  let db: Client;
  let redis: Redis;
  let sessionId: string;
  let teacher: RoomClient;
  let teacherMessageId: string;
  let graceId: string;
  const raws: RawRoomSocket[] = [];
  const tokens: Record<string, string> = {};

  const raw = async (token: string) => {
    const r = await RawRoomSocket.open(cluster.proxyUrl, token);
    raws.push(r);
    return r;
  };

  /** Every event a client can send, with a payload that would be valid for the class under attack. */
  const attackEvents = (): Array<[string, unknown]> => [
    ['hand:set', { raised: true }],
    ['media:state', { camera: true, mic: true }],
    ['chat:send', { clientId: crypto.randomUUID(), text: 'pwned' }],
    ['chat:delete', { messageId: teacherMessageId }],
    [
      'wb:op',
      {
        type: 'add',
        opId: `atk-${crypto.randomBytes(4).toString('hex')}`,
        page: 'page-1',
        elementId: `el-${crypto.randomBytes(4).toString('hex')}`,
        element: {
          kind: 'stroke',
          tool: 'pen',
          colour: '#ff0000',
          width: 2,
          points: [
            [0, 0],
            [10, 10],
          ],
        },
      },
    ],
    ['wb:op', { type: 'clear-page', opId: `atk-${crypto.randomBytes(4).toString('hex')}`, page: 'page-1' }],
    [
      'wb:op',
      {
        type: 'add-page',
        opId: `atk-${crypto.randomBytes(4).toString('hex')}`,
        page: `pg-${crypto.randomBytes(4).toString('hex')}`,
      },
    ],
    ['wb:sync', { since: 0 }],
    ['wb:follow', { page: 'page-1', x: 5, y: 5, zoom: 2, locked: true }],
    ['wb:permissions', { mode: 'everyone' }],
    ['media:join', { peerId: crypto.randomUUID() }],
    ['media:create-transport', { direction: 'send' }],
    ['media:consume', { producerId: crypto.randomUUID() }],
    ['media:close-producer', { producerId: crypto.randomUUID() }],
    ['media:set-policy', { studentScreenShare: true }],
    ['media:leave', {}],
    ['teacher:mute', { userId: graceId }],
    ['teacher:mute-all', {}],
    ['teacher:stop-camera', { userId: graceId }],
    ['teacher:remove', { userId: graceId }],
    ['teacher:end-class', {}],
    [
      'quiz:launch',
      { title: 'pwned', newQuestions: [{ type: 'true_false', prompt: 'pwned', correct: true }], graded: true },
    ],
    [
      'quiz:answer',
      { quizId: crypto.randomUUID(), questionId: crypto.randomUUID(), answer: { type: 'true_false', value: true } },
    ],
    ['quiz:close', { quizId: crypto.randomUUID() }],
    ['quiz:reveal', { quizId: crypto.randomUUID() }],
    ['quiz:results', { quizId: crypto.randomUUID() }],
    ['quiz:sync', {}],
    ['attendance:visibility', { visible: false }],
    ['waiting:admit', { userIds: [graceId] }],
    ['waiting:deny', { userId: graceId, message: 'pwned' }],
    ['teacher:waiting-room', { enabled: true }],
    ['teacher:locks', { mic: true, camera: true, screen: false, chat: true, whiteboard: true }],
    ['unmute:allow', { userIds: [graceId] }],
    ['hand:lower', { userId: graceId }],
    ['teacher:allow-camera', { userId: graceId }],
    ['unmute:ask', { asking: true }],
    ['recording:sync', {}],
    ['recording:pause', { paused: true }],
    ['media:ready', { rtpCapabilities: { codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000 }] } }],
    [
      'media:connect-transport',
      { transportId: crypto.randomUUID(), dtlsParameters: { fingerprints: [fingerprint()] } },
    ],
    ['media:restart-ice', { transportId: crypto.randomUUID() }],
    ['media:produce', { transportId: crypto.randomUUID(), kind: 'audio', source: 'mic', rtpParameters: opus(7777) }],
    ['media:pause-producer', { producerId: crypto.randomUUID(), paused: true }],
    ['media:resume-consumer', { consumerId: crypto.randomUUID() }],
    ['media:set-layers', { consumerId: crypto.randomUUID(), spatialLayer: 0 }],
    ['broadcast:route', {}],
    ['broadcast:promote', { userId: graceId }],
    ['broadcast:paths', {}],
    ['breakout:open', { mode: 'random', rooms: 2 }],
    ['breakout:move', { userId: graceId, roomId: crypto.randomUUID() }],
    ['breakout:enter', { roomId: crypto.randomUUID() }],
    ['breakout:broadcast', { text: 'pwned' }],
    ['breakout:timer', { durationSeconds: 60 }],
    ['breakout:recall', {}],
    ['breakout:help', {}],
    ['breakout:sync', {}],
  ];
  /**
   * Events this suite does not send through attackEvents, and where they are attacked instead: the join and
   * the leave are the vehicle of every attack here; recordings:watch is not a class event (below, by role);
   * session:renew is not either: platform/auth/session-renewal-sockets.spec.ts sends it forged, another person's,
   * another class's and another launch's tokens.
   */
  const NOT_CLASS_EVENTS = new Set([
    'room:join',
    'room:leave',
    'recordings:watch',
    'recordings:follow',
    'session:renew',
  ]);
  const TEACHER_EVENTS = new Set([
    'chat:delete',
    'wb:follow',
    'wb:permissions',
    'media:set-policy',
    'teacher:mute',
    'teacher:mute-all',
    'teacher:stop-camera',
    'teacher:remove',
    'teacher:end-class',
    'quiz:launch',
    'quiz:close',
    'quiz:reveal',
    'quiz:results',
    'waiting:admit',
    'waiting:deny',
    'teacher:waiting-room',
    'teacher:locks',
    'unmute:allow',
    'hand:lower',
    'recording:pause',
    'broadcast:promote',
    'broadcast:paths',
    'breakout:open',
    'breakout:move',
    'breakout:broadcast',
    'breakout:timer',
    'breakout:recall',
  ]);
  /** What a guest (invite link) may send: everything else is refused GUEST_NOT_ALLOWED. */
  const GUEST_EVENTS = new Set([
    'hand:set',
    'media:state',
    'chat:send',
    'wb:sync',
    'media:join',
    'media:create-transport',
    'media:consume',
    'media:close-producer',
    'media:leave',
    'unmute:ask',
    'recording:sync',
    'media:ready',
    'media:connect-transport',
    'media:restart-ice',
    'media:produce',
    'media:pause-producer',
    'media:resume-consumer',
    'media:set-layers',
    'broadcast:route',
    'breakout:enter',
    'breakout:help',
    'breakout:sync',
  ]);

  /** What an attack could have changed, read from Postgres, Redis and the teacher's own sync. */
  const snapshot = async () => {
    const sync = (await teacher.call<{ seq: number; permissions: unknown; teacherView: unknown }>('wb:sync', {
      since: 0,
    })) as { ok: true; data: { seq: number; permissions: unknown; teacherView: unknown } };
    expect(sync.ok).toBe(true);
    const [{ n: chatRows }] = (
      await db.query(`SELECT count(*)::int AS n FROM chat_message WHERE session_id = $1`, [sessionId])
    ).rows;
    const [{ n: removals }] = (
      await db.query(`SELECT count(*)::int AS n FROM session_removal WHERE session_id = $1`, [sessionId])
    ).rows;
    const [{ ended }] = (
      await db.query(`SELECT ended_at IS NOT NULL AS ended FROM live_session WHERE id = $1`, [sessionId])
    ).rows;
    const [{ n: quizRows }] = (await db.query(`SELECT count(*)::int AS n FROM quiz`)).rows;
    const [{ n: bankRows }] = (await db.query(`SELECT count(*)::int AS n FROM quiz_question`)).rows;
    const [{ n: recordingMarks }] = (
      await db.query(
        `SELECT count(*)::int AS n FROM recording_mark WHERE session_id = $1 AND kind IN ('pause', 'resume')`,
        [sessionId],
      )
    ).rows;
    const [{ n: visibilityRows }] = (
      await db.query(`SELECT count(*)::int AS n FROM attendance_visibility WHERE session_id = $1`, [sessionId])
    ).rows;
    const state = (await teacher.emit(ClientEvents.join, { sessionId })) as { ok: true; data: RoomState };
    return {
      seq: sync.data.seq,
      permissions: sync.data.permissions,
      teacherView: sync.data.teacherView,
      chatRows,
      removals,
      ended,
      quizRows,
      bankRows,
      visibilityRows,
      recordingMarks,
      recordingPause: await redis.get(`recording:pause:${sessionId}`),
      breakoutKeys: (await redis.keys(`breakout:${sessionId}:*`)).sort(),
      breakoutRooms: (
        await db.query(`SELECT count(*)::int AS n FROM live_session WHERE parent_session_id = $1`, [sessionId])
      ).rows[0].n as number,
      hlsPromoted: (await redis.keys(`*hls:promoted:${sessionId}`)).sort(),
      mediaHost: await redis.get(`media:owner:${sessionId}`),
      mediaPolicy: await redis.get(`media:policy:${sessionId}`),
      unmuteAllowed: await redis.smembers(`media:unmute-allowed:${sessionId}`),
      cameraStopped: await redis.smembers(`media:camera-stopped:${sessionId}`),
      unmuteAsks: await redis.smembers(`class:unmute-asks:${sessionId}`),
      chatLocked: await redis.exists(`class:chat-locked:${sessionId}`),
      denied: await redis.hgetall(`class:denied:${sessionId}`),
      waitingRoom: (await db.query(`SELECT waiting_room FROM classroom_control WHERE waiting_room`)).rows.length,
      people: state.data.participants
        .map((p) => ({ userId: p.userId, mic: p.mic, camera: p.camera, hand: p.handRaised }))
        .sort((a, b) => a.userId.localeCompare(b.userId)),
    };
  };

  beforeAll(async () => {
    // Production-sized budgets are too big to flood quickly: every family gets a small one here (the flood
    // test below), the board's byte budget too; joins keep room for the attacks' many joins.
    cluster = await startCluster(2, { RATE_LIMIT_SCALE: '1', RATE_LIMIT_RULES: FLOOD_RULES });
    db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    redis = new Redis(inject('services').redisUrl);
    const L = cluster.launch;
    tokens.teacher = await L.launch('phys-101', 'dev-ada');
    tokens.grace = await L.launch('phys-101', 'dev-grace');
    tokens.alan = await L.launch('phys-101', 'dev-alan');
    tokens.outsiderLearner = await L.launch('hist-210', 'dev-katherine');
    tokens.outsiderTeacher = await L.launch('hist-210', 'dev-ada');
    const started = (await (await L.api('/api/classroom/sessions', tokens.teacher, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    sessionId = started.session.id;

    teacher = new RoomClient(cluster.proxyUrl, tokens.teacher);
    await teacher.connected();
    expect((await teacher.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    const drawn = await teacher.call('wb:op', {
      type: 'add',
      opId: 'teacher-op-1',
      page: 'page-1',
      elementId: 'teacher-el-1',
      element: {
        kind: 'stroke',
        tool: 'pen',
        colour: '#000000',
        width: 2,
        points: [
          [1, 1],
          [2, 2],
        ],
      },
    });
    expect(drawn.ok).toBe(true);
    const said = (await teacher.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'welcome' })) as {
      ok: true;
      data: { id: string };
    };
    expect(said.ok).toBe(true);
    teacherMessageId = said.data.id;

    // Grace is a learner of the class, in it through an ordinary client.
    const grace = new RoomClient(cluster.proxyUrl, tokens.grace);
    await grace.connected();
    const joined = (await grace.emit(ClientEvents.join, { sessionId })) as { ok: true; data: RoomState };
    expect(joined.ok).toBe(true);
    graceId = joined.data.me.userId;

    // Alan joins, and the instructor removes him.
    const alan = new RoomClient(cluster.proxyUrl, tokens.alan);
    await alan.connected();
    const alanJoin = (await alan.emit(ClientEvents.join, { sessionId })) as { ok: true; data: RoomState };
    expect(alanJoin.ok).toBe(true);
    expect((await teacher.emit(ClientEvents.teacherRemove, { userId: alanJoin.data.me.userId })).ok).toBe(true);
    await waitFor(() => !alan.socket.connected, 'the removed student is let go');
  }, 180_000);

  afterAll(async () => {
    for (const r of raws) r.close();
    teacher?.close();
    await db?.end();
    redis?.disconnect();
    await cluster?.close();
  });

  const attackers = [
    { who: '(a) a learner of another course', token: () => tokens.outsiderLearner, joinRefused: 'SESSION_NOT_FOUND' },
    {
      who: '(a) an instructor of another course',
      token: () => tokens.outsiderTeacher,
      joinRefused: 'SESSION_NOT_FOUND',
    },
    { who: '(b) a student the instructor removed', token: () => tokens.alan, joinRefused: 'REMOVED_FROM_CLASS' },
  ];

  it('covers every socket event a gateway in backend/src subscribes to (a new event fails here until it is attacked)', () => {
    const tables = new Map<string, Record<string, string>>([
      ['ClientEvents', ClientEvents],
      ['WhiteboardEvents', WhiteboardEvents],
      ['MediaEvents', MediaEvents],
      ['BroadcastEvents', BroadcastEvents],
      ['QuizEvents', QuizEvents],
      ['AttendanceEvents', AttendanceEvents],
      ['RecordingEvents', RecordingEvents],
      ['RecordingsEvents', RecordingsEvents],
      ['SessionEvents', SessionEvents],
      ['BreakoutEvents', BreakoutEvents],
    ]);
    const root = path.resolve(__dirname, '..');
    const subscribed = new Set<string>();
    for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const m of text.matchAll(/@SubscribeMessage\(\s*([^)]*?)\s*\)/g)) {
        const ref = /^(\w+)\.(\w+)$/.exec(m[1]);
        const literal = /^['"]([^'"]+)['"]$/.exec(m[1]);
        const event = ref ? tables.get(ref[1])?.[ref[2]] : literal?.[1];
        expect(event, `${file}: @SubscribeMessage(${m[1]}) names an event this suite can resolve`).toBeTypeOf('string');
        subscribed.add(event!);
      }
    }
    expect(subscribed.size).toBeGreaterThan(50);
    const attacked = new Set([...attackEvents().map(([e]) => e), ...NOT_CLASS_EVENTS]);
    expect([...subscribed].filter((e) => !attacked.has(e)).sort()).toEqual([]);
  });

  it("recordings:watch: only an instructor of the course follows its recordings' progress (learners, the removed, outsiders, observers, guests refused, pipelined behind room:join or alone)", async () => {
    const observer = await cluster.launch.launchAs('phys-101', 'Olive Observer', 'Mentor');
    const link = (await (
      await cluster.launch.api('/api/classroom/guest-links', tokens.teacher, {
        method: 'POST',
        body: JSON.stringify({ expiresInMinutes: 60, singleUse: false, needsAdmission: false }),
      })
    ).json()) as { url: string };
    const guest = (await (
      await cluster.launch.api('/api/guest/enter', null, {
        method: 'POST',
        body: JSON.stringify({ token: link.url.slice(link.url.indexOf('#') + 1), name: 'Watching Guest' }),
      })
    ).json()) as { token: string };
    const refused: Array<[string, string, string]> = [
      ['a learner of the class', tokens.grace, 'TEACHER_ONLY'],
      ['a student the instructor removed', tokens.alan, 'TEACHER_ONLY'],
      ['a learner of another course', tokens.outsiderLearner, 'TEACHER_ONLY'],
      ['an observer of the course', observer, 'OBSERVER_READ_ONLY'],
      ['a guest of the class', guest.token, 'GUEST_NOT_ALLOWED'],
    ];
    for (const [who, token, code] of refused) {
      const s = await raw(token);
      const [, behindJoin] = await s.pipeline([
        ['room:join', { sessionId }],
        ['recordings:watch', {}],
      ]);
      expect(behindJoin, `${who}: behind room:join`).toMatchObject({ ok: false, error: { code } });
      for (const ack of await s.pipeline(
        Array.from({ length: 3 }, () => ['recordings:watch', {}] as [string, unknown]),
      ))
        expect(ack, `${who}: alone`).toMatchObject({ ok: false, error: { code } });
      s.close();
    }
    // Following the list (no progress, nothing about a recording): the course's members and observers, never guests.
    for (const [who, token] of [
      ['a learner of the class', tokens.grace],
      ['a learner of another course (their own course)', tokens.outsiderLearner],
      ['an observer of the course', observer],
    ] as const)
      expect(await (await raw(token)).emit('recordings:follow', {}), who).toMatchObject({
        ok: true,
        data: { following: true },
      });
    expect(await (await raw(guest.token)).emit('recordings:follow', {})).toMatchObject({
      ok: false,
      error: { code: 'GUEST_NOT_ALLOWED' },
    });
    expect(await (await raw(tokens.grace)).emit('recordings:follow', { courseId: 'hist-210' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD' },
    });
    // The course is the socket's own session's: a payload naming one is refused, whoever sends it.
    const t = await raw(tokens.teacher);
    const named = await t.pipeline([
      ['recordings:watch', { courseId: 'hist-210' }],
      ['recordings:watch', { courseId: '__proto__' }],
      ['recordings:watch', {}],
    ]);
    expect(named.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual(['INVALID_PAYLOAD', 'INVALID_PAYLOAD', 'ok']);
    t.close();
    // An instructor of another course is served, for their own course (recording.spec.ts proves no progress
    // of this course reaches them while a job runs).
    const o = await raw(tokens.outsiderTeacher);
    expect(await o.emit('recordings:watch', {})).toMatchObject({ ok: true, data: { watching: true } });
    o.close();
  }, 120_000);

  for (const a of attackers) {
    it(`${a.who}: every event pipelined with room:join in one write is refused and writes nothing`, async () => {
      const before = await snapshot();
      const teacherEffectsBefore = teacher.got('wb:effects' as never).length;
      const teacherChatBefore = teacher.got('chat:message').length;
      for (const [event, payload] of attackEvents()) {
        const s = await raw(a.token());
        const [join, ack] = await s.pipeline([
          ['room:join', { sessionId }],
          [event, payload],
        ]);
        expect(join, `room:join before ${event}`).toMatchObject({ ok: false, error: { code: a.joinRefused } });
        expect(ack, `${event} pipelined behind a refused join`).toMatchObject({
          ok: false,
          error: { code: 'NOT_IN_ROOM' },
        });
        s.close();
      }
      // And each sent alone, on one socket, many times over.
      const s = await raw(a.token());
      const alone = await s.pipeline(attackEvents());
      for (const [i, ack] of alone.entries()) {
        expect(ack, `${attackEvents()[i][0]} sent alone`).toMatchObject({ ok: false, error: { code: 'NOT_IN_ROOM' } });
      }
      await new Promise((r) => setTimeout(r, 300)); // anything that slipped through would have fanned out by now
      expect(await snapshot()).toEqual(before);
      expect(teacher.got('wb:effects' as never).length).toBe(teacherEffectsBefore);
      expect(teacher.got('chat:message').length).toBe(teacherChatBefore);
      expect(before.ended).toBe(false);
      expect(before.mediaHost).toBeNull();
    }, 120_000);
  }

  it('(c) a learner of the class: every teacher event is refused TEACHER_ONLY, pipelined behind the join or alone, and changes nothing', async () => {
    const before = await snapshot();
    const teacherEvents = attackEvents().filter(([e]) => TEACHER_EVENTS.has(e));
    expect(teacherEvents.length).toBe(TEACHER_EVENTS.size);
    for (const [event, payload] of teacherEvents) {
      const s = await raw(tokens.grace);
      const [join, ack] = await s.pipeline([
        ['room:join', { sessionId }],
        [event, payload],
      ]);
      expect(join.ok, `${event}: the learner's own join works`).toBe(true);
      expect(ack, event).toMatchObject({ ok: false, error: { code: 'TEACHER_ONLY' } });
      s.close();
    }
    const s = await raw(tokens.grace);
    expect((await s.emit('room:join', { sessionId })).ok).toBe(true);
    for (const ack of await s.pipeline(teacherEvents))
      expect(ack).toMatchObject({ ok: false, error: { code: 'TEACHER_ONLY' } });
    s.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('a socket that left the class loses it at once: events pipelined behind room:leave are refused', async () => {
    const s = await raw(tokens.grace);
    expect((await s.emit('room:join', { sessionId })).ok).toBe(true);
    const before = await snapshot();
    const [left, op, chat] = await s.pipeline([
      ['room:leave', {}],
      [
        'wb:op',
        {
          type: 'add',
          opId: 'after-leave-1',
          page: 'page-1',
          elementId: 'after-leave-el',
          element: {
            kind: 'stroke',
            tool: 'pen',
            colour: '#00ff00',
            width: 2,
            points: [
              [0, 0],
              [1, 1],
            ],
          },
        },
      ],
      ['chat:send', { clientId: crypto.randomUUID(), text: 'after leaving' }],
    ]);
    expect(left.ok).toBe(true);
    expect(op).toMatchObject({ ok: false, error: { code: 'NOT_IN_ROOM' } });
    expect(chat).toMatchObject({ ok: false, error: { code: 'NOT_IN_ROOM' } });
    const after = await snapshot();
    expect({ seq: after.seq, chatRows: after.chatRows }).toEqual({ seq: before.seq, chatRows: before.chatRows });
    s.close();
  }, 60_000);

  it('ids are data: a member sending reserved ids is refused, and the server still parses strict payloads (a launch still trades its code)', async () => {
    const s = await raw(tokens.grace);
    const before = await snapshot();
    const acks = await s.pipeline([
      ['room:join', { sessionId }],
      [
        'wb:op',
        {
          type: 'update',
          opId: 'proto-attack-1',
          page: 'page-1',
          elementId: '__proto__',
          patch: { colour: '#ff0000' },
        },
      ],
      [
        'wb:op',
        {
          type: 'add',
          opId: 'proto-attack-2',
          page: 'constructor',
          elementId: 'el-proto-2',
          element: {
            kind: 'stroke',
            tool: 'pen',
            colour: '#ff0000',
            width: 2,
            points: [
              [0, 0],
              [1, 1],
            ],
          },
        },
      ],
      ['wb:op', { type: 'add-page', opId: 'proto-attack-3', page: 'prototype' }],
      [
        'wb:op',
        {
          type: 'add',
          opId: '__proto__',
          page: 'page-1',
          elementId: 'el-proto-4',
          element: {
            kind: 'stroke',
            tool: 'pen',
            colour: '#ff0000',
            width: 2,
            points: [
              [0, 0],
              [1, 1],
            ],
          },
        },
      ],
    ]);
    expect(acks[0].ok).toBe(true);
    for (const ack of acks.slice(1)) expect(ack).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect((await snapshot()).seq).toBe(before.seq);
    // Had Object.prototype been touched on either instance, every strict schema there would refuse this.
    for (let i = 0; i < 4; i++) expect(typeof (await cluster.launch.launch('phys-101', 'dev-grace'))).toBe('string');
    const ok = await teacher.call('wb:op', {
      type: 'add',
      opId: 'teacher-op-2',
      page: 'page-1',
      elementId: 'teacher-el-2',
      element: {
        kind: 'stroke',
        tool: 'pen',
        colour: '#000000',
        width: 2,
        points: [
          [3, 3],
          [4, 4],
        ],
      },
    });
    expect(ok.ok).toBe(true);
    s.close();
  }, 60_000);

  it('a member of the class pipelining its join and its events is served in order (the gate does not refuse the legitimate)', async () => {
    const s = await raw(tokens.grace);
    const [join, hand, said] = await s.pipeline([
      ['room:join', { sessionId }],
      ['hand:set', { raised: true }],
      ['chat:send', { clientId: crypto.randomUUID(), text: 'a question' }],
    ]);
    expect(join.ok).toBe(true);
    expect(hand).toMatchObject({ ok: true, data: { handRaised: true } });
    expect(said).toMatchObject({ ok: true, data: { text: 'a question' } });
    expect((await s.emit('hand:set', { raised: false })).ok).toBe(true);
    s.close();
  }, 60_000);
  it('(d) a student held in the waiting room: every event, pipelined behind the join or alone, is refused NOT_IN_ROOM and changes nothing', async () => {
    expect((await teacher.emit(ClientEvents.teacherWaitingRoom, { enabled: true })).ok).toBe(true);
    try {
      const waiter = await cluster.launch.launchAs('phys-101', 'Waiting Attacker');
      const before = await snapshot();
      const chatBefore = teacher.got('chat:message').length;
      for (const [event, payload] of attackEvents()) {
        const s = await raw(waiter);
        const [join, ack] = await s.pipeline([
          ['room:join', { sessionId }],
          [event, payload],
        ]);
        expect(join, `room:join before ${event}`).toMatchObject({
          ok: false,
          error: { code: 'WAITING_FOR_ADMISSION' },
        });
        expect(ack, `${event} pipelined behind a join that waits`).toMatchObject({
          ok: false,
          error: { code: 'NOT_IN_ROOM' },
        });
        s.close();
      }
      const s = await raw(waiter);
      expect(await s.emit('room:join', { sessionId })).toMatchObject({
        ok: false,
        error: { code: 'WAITING_FOR_ADMISSION' },
      });
      for (const [i, ack] of (await s.pipeline(attackEvents())).entries())
        expect(ack, `${attackEvents()[i][0]} sent alone while waiting`).toMatchObject({
          ok: false,
          error: { code: 'NOT_IN_ROOM' },
        });
      s.close();
      await new Promise((r) => setTimeout(r, 300));
      expect(await snapshot()).toEqual(before);
      expect(teacher.got('chat:message').length).toBe(chatBefore);
    } finally {
      expect((await teacher.emit(ClientEvents.teacherWaitingRoom, { enabled: false })).ok).toBe(true);
    }
  }, 120_000);

  it('(e) a guest of the class (invite link): every event outside the guest allow-list is refused GUEST_NOT_ALLOWED, pipelined or alone, and changes nothing', async () => {
    const created = (await (
      await cluster.launch.api('/api/classroom/guest-links', tokens.teacher, {
        method: 'POST',
        body: JSON.stringify({ expiresInMinutes: 60, singleUse: false, needsAdmission: false }),
      })
    ).json()) as { url: string };
    const entered = (await (
      await cluster.launch.api('/api/guest/enter', null, {
        method: 'POST',
        body: JSON.stringify({ token: created.url.slice(created.url.indexOf('#') + 1), name: 'Guest Attacker' }),
      })
    ).json()) as { token: string };
    // One socket stays in the class, so the guest's presence is the same before and after.
    const stay = await raw(entered.token);
    expect((await stay.emit('room:join', { sessionId })).ok).toBe(true);
    const before = await snapshot();
    const refused = attackEvents().filter(([e]) => !GUEST_EVENTS.has(e));
    expect(refused.length).toBe(attackEvents().length - GUEST_EVENTS.size);
    for (const [event, payload] of refused) {
      const s = await raw(entered.token);
      const [join, ack] = await s.pipeline([
        ['room:join', { sessionId }],
        [event, payload],
      ]);
      expect(join.ok, `${event}: the guest's own join works`).toBe(true);
      expect(ack, event).toMatchObject({ ok: false, error: { code: 'GUEST_NOT_ALLOWED' } });
      s.close();
    }
    for (const [i, ack] of (await stay.pipeline(refused)).entries())
      expect(ack, `${refused[i][0]} sent alone by a guest`).toMatchObject({
        ok: false,
        error: { code: 'GUEST_NOT_ALLOWED' },
      });
    await new Promise((r) => setTimeout(r, 300));
    expect(await snapshot()).toEqual(before);
    // And outside the class over REST: roster, grades, the lobby, other classes' boards.
    for (const path of ['/api/lobby', '/api/roster', '/api/grades', '/api/whiteboard/sessions'])
      expect((await cluster.launch.api(path, entered.token)).status, path).toBe(403);
    stay.close();
  }, 120_000);

  it('a flood of each event family is answered RATE_LIMITED, per person and shared by both instances; the socket stays up and others are served', async () => {
    const learner = await cluster.launch.launchAs('phys-101', 'Flood Learner');
    const teacher2 = await cluster.launch.launchAs('phys-101', 'Flood Teacher', 'Instructor');
    const families: Array<{
      rule: string;
      limit: number;
      token: string;
      event: () => [string, unknown];
      stricter?: true;
    }> = [
      // Chat also has the chat service's own, stricter per-class pace (a few messages in a row).
      {
        rule: 'chat',
        limit: 30,
        token: learner,
        event: () => ['chat:send', { clientId: crypto.randomUUID(), text: 'flood' }],
        stricter: true,
      },
      { rule: 'hand', limit: 30, token: learner, event: () => ['hand:set', { raised: true }] },
      { rule: 'room.media', limit: 30, token: learner, event: () => ['media:state', { camera: false, mic: false }] },
      { rule: 'wb.sync', limit: 80, token: learner, event: () => ['wb:sync', { since: 0 }] },
      { rule: 'media.join', limit: 10, token: learner, event: () => ['media:join', { peerId: crypto.randomUUID() }] },
      {
        rule: 'media.transport',
        limit: 30,
        token: learner,
        event: () => ['media:create-transport', { direction: 'recv' }],
      },
      {
        rule: 'media.produce',
        limit: 30,
        token: learner,
        event: () => ['media:close-producer', { producerId: crypto.randomUUID() }],
      },
      {
        rule: 'media.signal',
        limit: 30,
        token: learner,
        event: () => ['media:consume', { producerId: crypto.randomUUID() }],
      },
      { rule: 'teacher', limit: 40, token: teacher2, event: () => ['teacher:mute', { userId: graceId }] },
      {
        rule: 'wb.follow',
        limit: 30,
        token: teacher2,
        event: () => ['wb:follow', { page: 'page-1', x: 0, y: 0, zoom: 1, locked: false }],
      },
      { rule: 'wb.permissions', limit: 30, token: teacher2, event: () => ['wb:permissions', { mode: 'everyone' }] },
      {
        rule: 'quiz.answer',
        limit: 30,
        token: learner,
        event: () => [
          'quiz:answer',
          { quizId: crypto.randomUUID(), questionId: crypto.randomUUID(), answer: { type: 'true_false', value: true } },
        ],
      },
      {
        rule: 'quiz.teacher',
        limit: 30,
        token: teacher2,
        event: () => ['quiz:results', { quizId: crypto.randomUUID() }],
      },
      // Breakouts (none open: the refusals after the limiter, NO_BREAKOUTS / NOT_IN_BREAKOUT, still cost a token).
      { rule: 'breakout.sync', limit: 30, token: learner, event: () => ['breakout:sync', {}] },
      { rule: 'breakout.enter', limit: 10, token: learner, event: () => ['breakout:enter', { roomId: null }] },
      { rule: 'breakout.help', limit: 5, token: learner, event: () => ['breakout:help', {}] },
      { rule: 'breakout.open', limit: 10, token: teacher2, event: () => ['breakout:recall', {}] },
      {
        rule: 'breakout.teacher',
        limit: 30,
        token: teacher2,
        event: () => ['breakout:timer', { durationSeconds: 60 }],
      },
      { rule: 'recordings.watch', limit: 10, token: teacher2, event: () => ['recordings:watch', {}] },
      {
        rule: 'wb.op',
        limit: 200,
        token: learner,
        event: () => [
          'wb:op',
          {
            type: 'delete',
            opId: `fl-${crypto.randomBytes(5).toString('hex')}`,
            page: 'page-1',
            elementId: 'no-such-element',
          },
        ],
      },
    ];
    for (const f of families) {
      // Two sockets of the same person on (through the load balancer, most likely) both instances: one budget.
      const a = await raw(f.token);
      const b = await raw(f.token);
      expect((await a.emit('room:join', { sessionId })).ok).toBe(true);
      expect((await b.emit('room:join', { sessionId })).ok).toBe(true);
      const half = Math.ceil((f.limit + 20) / 2);
      const [fromA, fromB] = await Promise.all([
        a.pipeline(Array.from({ length: half }, f.event)),
        b.pipeline(Array.from({ length: half }, f.event)),
      ]);
      const acks = [...fromA, ...fromB];
      const limited = acks.filter((x) => !x.ok && x.error.code === 'RATE_LIMITED').length;
      // The buckets barely refill (100 minutes each): one token of slack either way.
      expect(limited, `${f.rule}: ${2 * half} sent, budget ${f.limit}`).toBeGreaterThanOrEqual(2 * half - f.limit - 1);
      if (!f.stricter)
        expect(limited, `${f.rule}: the budget itself is served`).toBeLessThanOrEqual(2 * half - f.limit + 1);
      expect(a.isOpen && b.isOpen, `${f.rule}: the sockets stay up`).toBe(true);
      a.close();
      b.close();
    }
    // Someone else is not held back by the flooders' budgets.
    const g = await raw(tokens.grace);
    expect((await g.emit('room:join', { sessionId })).ok).toBe(true);
    expect(await g.emit('hand:set', { raised: false })).toMatchObject({ ok: true });
    g.close();
  }, 120_000);

  it("whiteboard ops spend a per-board byte budget: once one person drains it, the class's board refuses ops (RATE_LIMITED) from anyone", async () => {
    const drawer = await cluster.launch.launchAs('phys-101', 'Byte Flood');
    const s = await raw(drawer);
    expect((await s.emit('room:join', { sessionId })).ok).toBe(true);
    const points = Array.from({ length: 60 }, (_, i) => [i * 10.5, i * 7.25]);
    const op = () =>
      [
        'wb:op',
        {
          type: 'add',
          opId: `bf-${crypto.randomBytes(5).toString('hex')}`,
          page: 'page-1',
          elementId: `bf-${crypto.randomBytes(5).toString('hex')}`,
          element: { kind: 'stroke', tool: 'pen', colour: '#123456', width: 2, points },
        },
      ] as [string, unknown];
    const acks = await s.pipeline(Array.from({ length: 60 }, op)); // ~1 KB each against a 40 KB board budget
    const served = acks.filter((x) => x.ok).length;
    expect(served).toBeGreaterThan(10);
    expect(served).toBeLessThan(60);
    expect(acks.filter((x) => !x.ok && x.error.code === 'RATE_LIMITED').length).toBe(60 - served);
    // Grace has her own per-person budgets untouched, but the board's is spent.
    const g = await raw(tokens.grace);
    expect((await g.emit('room:join', { sessionId })).ok).toBe(true);
    expect(await g.emit(...op())).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    g.close();
    s.close();
  }, 60_000);
  it('a person holds at most 3 media peers at once (MEDIA_PEER_LIMIT); leaving or closing a tab frees its slot', async () => {
    const who = await cluster.launch.launchAs('phys-101', 'Many Tabs');
    const tabs = await Promise.all(Array.from({ length: 5 }, () => raw(who)));
    for (const tab of tabs) expect((await tab.emit('room:join', { sessionId })).ok).toBe(true);
    const join = (tab: RawRoomSocket) => tab.emit('media:join', { peerId: crypto.randomUUID() });
    for (const tab of tabs.slice(0, 3)) {
      const ack = await join(tab);
      expect(ack, `tabs 1-3: ${JSON.stringify(ack)}`).toMatchObject({ ok: true });
    }
    expect(await join(tabs[3])).toMatchObject({ ok: false, error: { code: 'MEDIA_PEER_LIMIT' } });
    expect(tabs[3].isOpen).toBe(true);
    expect((await tabs[0].emit('media:leave', {})).ok).toBe(true); // a tab turns its media off
    expect(await join(tabs[3]), 'after a leave').toMatchObject({ ok: true });
    expect(await join(tabs[4])).toMatchObject({ ok: false, error: { code: 'MEDIA_PEER_LIMIT' } });
    tabs[1].close(); // a tab is closed
    await waitFor(async () => (await join(tabs[4])).ok, 'a slot freed by a closed tab', 5000);
    for (const tab of tabs) tab.close();
  }, 60_000);
  it('a socket sending refused events without end is let go (they cost no rate limit, but each costs a parse)', async () => {
    const s = await raw(tokens.outsiderLearner);
    const garbage = Array.from(
      { length: 200 },
      () => ['wb:op', { type: 'clear-page', opId: 'junk-op', page: 'page-1' }] as [string, unknown],
    );
    const first = await s.pipeline(garbage);
    expect(first.every((a) => !a.ok && a.error.code === 'NOT_IN_ROOM')).toBe(true);
    expect(s.isOpen).toBe(true);
    await s.pipeline(garbage, 3000);
    expect(await s.closedWithin(5000)).toBe(true);
  }, 60_000);
});
