import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LobbyView } from '../contracts/api';
import { ClientEvents } from '../contracts/realtime';
import { WhiteboardClientEvents } from '../contracts/whiteboard';
import { LaunchClient } from '../testing/lti-client';
import { RoomClient } from '../testing/room-client';
import { startTestApp, TestApp } from '../testing/test-app';

/**
 * The roles Canvas and Moodle send that Lectern used to refuse (ROLE_NOT_SUPPORTED), launched through the
 * dev LMS end to end (real Postgres, Redis, ltijs, socket.io): a designer (ContentDeveloper) prepares and
 * runs classes but never sees grades; an observer (Mentor, a parent) and someone with an empty roles claim
 * watch and read, and send nothing into the class.
 */
describe('launches with the Designer and Observer roles and an empty roles claim', () => {
  let t: TestApp;
  let client: LaunchClient;
  let teacher: string;
  const sockets: RoomClient[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    client = new LaunchClient(t);
    teacher = await client.launch('phys-101', 'dev-ada');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  const lobby = async (token: string) => (await (await client.api('/api/lobby', token)).json()) as LobbyView;
  const join = async (token: string, sessionId: string) => {
    const s = new RoomClient(t.url, token);
    sockets.push(s);
    await s.connected();
    const ack = await s.emit(ClientEvents.join, { sessionId });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    return s;
  };
  const code = (ack: { ok: boolean; error?: { code: string } }) => (ack.ok ? 'OK' : ack.error!.code);
  const chatRows = async (text: string) =>
    Number((await t.db.query(`SELECT count(*)::int AS n FROM chat_message WHERE text = $1`, [text]))[0].n);

  it('a designer lands as designer: runs a class and places Lectern (deep linking), never sees grades', async () => {
    const designer = await client.launchAs('phys-101', 'Dana Designer', 'ContentDeveloper');
    expect((await lobby(designer)).me).toMatchObject({ role: 'designer', canTeach: true });
    const [row] = await t.db.query(
      `SELECT e.role FROM enrolment e JOIN lti_user u ON u.id = e.user_id WHERE u.name = 'Dana Designer'`,
    );
    expect(row.role).toBe('designer');
    expect((await client.api('/api/grades', designer)).status).toBe(403);
    expect((await client.api('/api/grades', teacher)).status).toBe(200);
    // Deep linking (placing a classroom) is open to a designer: the launch lands.
    const login = await client.login(
      await client.loginUrl('phys-101', '', { name: 'Dana Designer', role: 'ContentDeveloper', dl: '1' }),
    );
    const res = await client.postLaunch(await client.authorize(login.authUrl), login.cookie);
    expect(res.status).toBe(200);
    expect(await client.codeOf(res)).toBeTruthy();
    // Runs a class.
    const started = await client.api('/api/classroom/sessions', designer, { method: 'POST' });
    expect(started.status).toBeLessThan(300);
    const sessionId = ((await started.json()) as { session: { id: string } }).session.id;
    expect((await client.api(`/api/classroom/sessions/${sessionId}/end`, designer, { method: 'POST' })).ok).toBe(true);
  });

  it('an observer (Mentor) and an empty roles claim land as observer: they watch and read, and send nothing', async () => {
    const mary = await client.launch('phys-101', 'dev-mary');
    const nobody = await client.launchAs('phys-101', 'Nora Noroles', 'None');
    for (const token of [mary, nobody]) {
      expect((await lobby(token)).me).toMatchObject({ role: 'observer', canTeach: false });
      expect((await client.api('/api/grades', token)).status).toBe(403);
      expect((await client.api('/api/classroom/sessions', token, { method: 'POST' })).status).toBe(403);
    }
    const sessionId = (
      (await (await client.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
    const ada = await join(teacher, sessionId);
    const adaSays = `hello from ada ${crypto.randomUUID()}`;
    expect(code(await ada.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text: adaSays }))).toBe('OK');
    for (const token of [mary, nobody]) {
      const s = await join(token, sessionId);
      // Reads: the board and the chat the class wrote.
      expect(code(await s.call(WhiteboardClientEvents.sync, { since: 0 }))).toBe('OK');
      const text = `observer says ${crypto.randomUUID()}`;
      expect(code(await s.emit(ClientEvents.chatSend, { clientId: crypto.randomUUID(), text }))).toBe(
        'OBSERVER_READ_ONLY',
      );
      expect(await chatRows(text)).toBe(0);
      expect(code(await s.emit(ClientEvents.hand, { raised: true }))).toBe('OBSERVER_READ_ONLY');
      expect(code(await s.emit(ClientEvents.media, { camera: true, mic: true }))).toBe('OBSERVER_READ_ONLY');
      expect(code(await s.emit(ClientEvents.askUnmute, { asking: true }))).toBe('OBSERVER_READ_ONLY');
    }
    expect(await chatRows(adaSays)).toBe(1);
  });
});
