import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaAckData, MediaEvents } from '../contracts/media';
import { ClassControlState, ClientEvents, RoomState, ServerPayloads } from '../contracts/realtime';
import { MediaService } from '../media/media.service';
import { fingerprint, ok, opus, refusal, vp8 } from '../media/testing/signalling';
import { mediaTestsOptedOut, requireWorker } from '../media/testing/worker-check';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';

/**
 * Class control on one instance with real Postgres, Redis and the mediasoup worker: the waiting room
 * (a waiting socket reaches nothing; an admission lets the same socket in; a denial holds), the locks
 * (held in the server for chat and the board, in the SFU for microphones and cameras, whatever the
 * client sends), asking to unmute and allowing it, lowering a hand. The guests' side is guest-links.spec.ts.
 */
describe.skipIf(mediaTestsOptedOut())('class control: waiting room, locks, ask to unmute', () => {
  let t: TestApp;
  let launch: LaunchClient;
  let sessionId: string;
  let teacher: RoomClient;
  const clients: RoomClient[] = [];

  const client = async (token: string) => {
    const c = new RoomClient(t.url, token);
    clients.push(c);
    await c.connected();
    return c;
  };
  const join = (c: RoomClient) => c.emit(ClientEvents.join, { sessionId });

  beforeAll(async () => {
    requireWorker();
    t = await startTestApp();
    launch = new LaunchClient(t);
    const teacherToken = await launch.launch('phys-101', 'dev-ada');
    const started = (await (await launch.api('/api/classroom/sessions', teacherToken, { method: 'POST' })).json()) as {
      session: { id: string };
    };
    sessionId = started.session.id;
    teacher = await client(teacherToken);
    expect((await join(teacher)).ok).toBe(true);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  it('a student waits (a member of nothing, events pipelined or alone refused), is admitted on the same socket; a denial holds; the switch lives in Postgres', async () => {
    const state = await ok<ClassControlState>(teacher, ClientEvents.teacherWaitingRoom, { enabled: true });
    expect(state.waitingRoom).toBe(true);
    const [{ waiting_room }] = await t.db.query(`SELECT waiting_room FROM classroom_control`);
    expect(waiting_room).toBe(true);

    const studentToken = await launch.launchAs('phys-101', 'Waiting Wanda');
    const wanda = await client(studentToken);
    const acks = await Promise.all([
      join(wanda),
      wanda.call('chat:send', { clientId: crypto.randomUUID(), text: 'sneaking in' }),
      wanda.call('hand:set', { raised: true }),
      wanda.call('wb:sync', { since: 0 }),
      wanda.call('media:join', { peerId: crypto.randomUUID() }),
      wanda.call('waiting:admit', { userIds: [crypto.randomUUID()] }),
      wanda.call('unmute:ask', { asking: true }),
    ]);
    expect(acks[0]).toMatchObject({ ok: false, error: { code: 'WAITING_FOR_ADMISSION' } });
    for (const a of acks.slice(1)) expect(a).toMatchObject({ ok: false, error: { code: 'NOT_IN_ROOM' } });
    // The instructor sees who waits, live and in the room state.
    const list = await teacher.waitFor('waiting:list', (p) => p.waiting.some((w) => w.name === 'Waiting Wanda'));
    const wandaId = list.waiting.find((w) => w.name === 'Waiting Wanda')!.userId;
    expect(list.waiting[0]).toMatchObject({ role: 'learner' });
    const teacherState = (await join(teacher)) as { ok: true; data: RoomState };
    expect(teacherState.data.waiting.map((w) => w.userId)).toContain(wandaId);
    expect(teacherState.data.participants.map((p) => p.userId)).not.toContain(wandaId);
    expect(await t.db.query(`SELECT 1 FROM chat_message WHERE text = 'sneaking in'`)).toHaveLength(0);

    // Admitted: told on the waiting socket, whose next join goes in.
    expect(await ok(teacher, ClientEvents.teacherAdmit, { userIds: [wandaId, crypto.randomUUID()] })).toEqual({
      admitted: 1,
    });
    await wanda.waitFor('waiting:admitted');
    const inside = (await join(wanda)) as { ok: true; data: RoomState };
    expect(inside.ok).toBe(true);
    expect(inside.data.waiting).toEqual([]); // only teachers see the list
    expect((await wanda.call('hand:set', { raised: true })).ok).toBe(true);
    // A reconnect does not wait again.
    const again = await client(studentToken);
    expect((await join(again)).ok).toBe(true);
    again.close();

    // Someone turned away hears why, is let go, and cannot knock again in this class.
    const dennisToken = await launch.launchAs('phys-101', 'Denied Dennis');
    const dennis = await client(dennisToken);
    expect(await join(dennis)).toMatchObject({ ok: false, error: { code: 'WAITING_FOR_ADMISSION' } });
    const dennisId = (
      await teacher.waitFor('waiting:list', (p) => p.waiting.some((w) => w.name === 'Denied Dennis'))
    ).waiting.find((w) => w.name === 'Denied Dennis')!.userId;
    await ok(teacher, ClientEvents.teacherDeny, { userId: dennisId, message: 'This is the wrong section' });
    expect(await dennis.waitFor('waiting:denied')).toEqual({ message: 'This is the wrong section' });
    await waitFor(() => !dennis.socket.connected, 'the denied socket is let go');
    const back = await client(dennisToken);
    expect(await join(back)).toMatchObject({ ok: false, error: { code: 'WAITING_DENIED' } });

    // A student cannot admit, deny or switch the waiting room.
    for (const [event, payload] of [
      [ClientEvents.teacherAdmit, { userIds: [dennisId] }],
      [ClientEvents.teacherDeny, { userId: wandaId }],
      [ClientEvents.teacherWaitingRoom, { enabled: false }],
    ] as const)
      expect(await refusal(wanda, event, payload)).toBe('TEACHER_ONLY');

    // A waiting socket that leaves is off the list.
    const lateToken = await launch.launchAs('phys-101', 'Leaving Lou');
    const lou = await client(lateToken);
    expect(await join(lou)).toMatchObject({ ok: false, error: { code: 'WAITING_FOR_ADMISSION' } });
    await teacher.waitFor('waiting:list', (p) => p.waiting.some((w) => w.name === 'Leaving Lou'));
    lou.close();
    await waitFor(
      async () =>
        !((await join(teacher)) as { ok: true; data: RoomState }).data.waiting.some((w) => w.name === 'Leaving Lou'),
      'the one who left is off the list',
    );

    await ok(teacher, ClientEvents.teacherWaitingRoom, { enabled: false });
    const walkIn = await client(await launch.launchAs('phys-101', 'Walk In'));
    expect((await join(walkIn)).ok).toBe(true);
  }, 60_000);

  it('chat and whiteboard locks hold in the server; the instructor lowers a hand', async () => {
    const student = await client(await launch.launch('phys-101', 'dev-grace'));
    const joined = (await join(student)) as { ok: true; data: RoomState };
    const graceId = joined.data.me.userId;
    const state = await ok<ClassControlState>(teacher, ClientEvents.teacherLocks, { chat: true, whiteboard: true });
    expect(state.locks).toMatchObject({ chat: true, whiteboard: true, mic: false });
    expect((await student.waitFor('control:state', (s) => s.locks.chat)).locks.whiteboard).toBe(true);
    expect(await refusal(student, ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'locked?' })).toBe(
      'CHAT_LOCKED',
    );
    expect((await teacher.call(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'I may' })).ok).toBe(true);
    const stroke = {
      type: 'add',
      opId: `lk-${crypto.randomBytes(4).toString('hex')}`,
      page: 'page-1',
      elementId: `lk-${crypto.randomBytes(4).toString('hex')}`,
      element: {
        kind: 'stroke',
        tool: 'pen',
        colour: '#000000',
        width: 2,
        points: [
          [0, 0],
          [1, 1],
        ],
      },
    };
    expect(await refusal(student, 'wb:op', stroke)).toBe('DRAWING_NOT_ALLOWED');
    await ok(teacher, ClientEvents.teacherLocks, { chat: false, whiteboard: false });
    expect((await student.call(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: 'open again' })).ok).toBe(
      true,
    );
    expect((await student.call('wb:op', { ...stroke, opId: 'lk-after' })).ok).toBe(true);

    await ok(student, ClientEvents.hand, { raised: true });
    expect(await ok(teacher, ClientEvents.teacherLowerHand, { userId: graceId })).toMatchObject({ handRaised: false });
    await student.waitFor('presence:updated', (p) => p.userId === graceId && !p.handRaised);
    expect(await refusal(student, ClientEvents.teacherLowerHand, { userId: graceId })).toBe('TEACHER_ONLY');
    expect(await refusal(student, ClientEvents.teacherLocks, { chat: false })).toBe('TEACHER_ONLY');
    student.close();
  }, 60_000);

  it('microphones and cameras locked hold in the SFU whatever the student sends; asking, allowing, unlocking leaves them muted', async () => {
    const media = t.app.get(MediaService);
    const student = await client(await launch.launchAs('phys-101', 'Mic Mo'));
    const me = ((await join(student)) as { ok: true; data: RoomState }).data.me.userId;
    const peerId = crypto.randomUUID();
    const joined = await ok<MediaAckData[typeof MediaEvents.join]>(student, MediaEvents.join, { peerId });
    await ok(student, MediaEvents.ready, { rtpCapabilities: joined.routerRtpCapabilities });
    const send = await ok<{ id: string }>(student, MediaEvents.createTransport, { direction: 'send' });
    await ok(student, MediaEvents.connectTransport, {
      transportId: send.id,
      dtlsParameters: { role: 'client', fingerprints: [fingerprint()] },
    });
    const mic = await ok<{ producerId: string }>(student, MediaEvents.produce, {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(4101),
    });
    const cam = await ok<{ producerId: string }>(student, MediaEvents.produce, {
      transportId: send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8(4102),
    });
    await ok(student, ClientEvents.media, { mic: true, camera: true });
    const peer = media.room(sessionId)!.peers.get(peerId)!;
    expect(peer.producers.get(mic.producerId)!.paused).toBe(false);

    const locked = await ok<ClassControlState>(teacher, ClientEvents.teacherLocks, { mic: true, camera: true });
    expect(locked.locks).toMatchObject({ mic: true, camera: true });
    await waitFor(() => peer.producers.get(mic.producerId)?.paused === true, 'the microphone paused in the SFU');
    await waitFor(() => !peer.producers.has(cam.producerId), 'the camera closed in the SFU');
    const shown = await student.waitFor('presence:updated', (p) => p.userId === me && !p.mic && !p.camera);
    expect(shown).toMatchObject({ mic: false, camera: false });

    // Whatever the student's page sends: resume, a new microphone, a new camera, the flags.
    expect(await refusal(student, MediaEvents.pauseProducer, { producerId: mic.producerId, paused: false })).toBe(
      'MIC_LOCKED',
    );
    expect(peer.producers.get(mic.producerId)!.paused).toBe(true);
    await ok(student, MediaEvents.closeProducer, { producerId: mic.producerId });
    const again = { transportId: send.id, kind: 'audio', source: 'mic', rtpParameters: opus(4103) };
    expect(await refusal(student, MediaEvents.produce, again)).toBe('MIC_LOCKED');
    expect(
      await refusal(student, MediaEvents.produce, {
        transportId: send.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: vp8(4104),
      }),
    ).toBe('CAMERA_LOCKED');
    expect(await refusal(student, ClientEvents.media, { mic: true, camera: false })).toBe('MIC_LOCKED');
    expect(await refusal(student, ClientEvents.media, { mic: false, camera: true })).toBe('CAMERA_LOCKED');
    expect([...peer.producers.values()]).toHaveLength(0);

    // Asking: the instructor sees it; allowing lets this student (only) unmute, by themselves.
    const asked = await ok<ClassControlState>(student, ClientEvents.askUnmute, { asking: true });
    expect(asked.unmuteRequests).toEqual([me]);
    await teacher.waitFor('control:state', (s) => s.unmuteRequests.includes(me));
    expect(await refusal(student, ClientEvents.teacherAllowUnmute, { userIds: [me] })).toBe('TEACHER_ONLY');
    const allowed = await ok<ClassControlState>(teacher, ClientEvents.teacherAllowUnmute, { userIds: [me] });
    expect(allowed).toMatchObject({ unmuteRequests: [], unmuteAllowed: [me] });
    expect(await student.waitFor('control:unmute-allowed')).toMatchObject({ by: expect.any(String) });
    const mic2 = await ok<{ producerId: string }>(student, MediaEvents.produce, again);
    expect(peer.producers.get(mic2.producerId)!.paused).toBe(false);
    await ok(student, ClientEvents.media, { mic: true, camera: false });

    // Locking again forgets the allowance and pauses it; unlocking unmutes nobody.
    await ok(teacher, ClientEvents.teacherLocks, { mic: true });
    await waitFor(() => peer.producers.get(mic2.producerId)?.paused === true, 'paused by the new lock');
    const unlocked = await ok<ClassControlState>(teacher, ClientEvents.teacherLocks, { mic: false, camera: false });
    expect(unlocked).toMatchObject({ locks: { mic: false, camera: false }, unmuteAllowed: [], unmuteRequests: [] });
    await new Promise((r) => setTimeout(r, 200));
    expect(peer.producers.get(mic2.producerId)!.paused).toBe(true);
    expect(await refusal(student, ClientEvents.askUnmute, { asking: true })).toBe('MIC_NOT_LOCKED');
    await ok(student, MediaEvents.pauseProducer, { producerId: mic2.producerId, paused: false });
    expect(peer.producers.get(mic2.producerId)!.paused).toBe(false);
    const heardLocks: Array<ServerPayloads['control:state']> = student.got('control:state');
    expect(heardLocks.some((s) => s.locks.mic)).toBe(true);

    // Cam off for one student holds: their camera is refused until the instructor allows it again.
    const cam2 = await ok<{ producerId: string }>(student, MediaEvents.produce, {
      transportId: send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8(4105),
    });
    expect((await teacher.emit(ClientEvents.teacherStopCamera, { userId: me })).ok).toBe(true);
    await waitFor(() => !peer.producers.has(cam2.producerId), 'the camera closed by Cam off');
    const camAgain = { transportId: send.id, kind: 'video', source: 'camera', rtpParameters: vp8(4106) };
    expect(await refusal(student, MediaEvents.produce, camAgain)).toBe('CAMERA_STOPPED');
    expect(await refusal(student, ClientEvents.media, { mic: false, camera: true })).toBe('CAMERA_STOPPED');
    expect(await refusal(student, ClientEvents.teacherAllowCamera, { userId: me })).toBe('TEACHER_ONLY');
    expect((await teacher.emit(ClientEvents.teacherAllowCamera, { userId: me })).ok).toBe(true);
    await student.waitFor('control:camera-allowed');
    await ok(student, MediaEvents.produce, camAgain);
    await ok(student, MediaEvents.leave, {});
  }, 60_000);
});
