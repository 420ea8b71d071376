import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { ClientEvents, ServerEvents } from '../../contracts/realtime';
import { SessionEvents, SessionServerEvents } from '../../contracts/session';
import { LaunchClient } from '../../testing/lti-client';
import { RoomClient } from '../../testing/room-client';
import { startTestApp, type TestApp } from '../../testing/test-app';
import { waitFor } from '../../testing/wait-for';
import { SessionTokens } from './session-token';

/**
 * A class longer than one session token (SESSION_TTL_SECONDS, an hour by default). The page refreshes
 * its token over HTTP before it expires; its socket kept the token it connected with, so at that token's
 * expiry the socket was refused at its next event and closed, and the page thought the server had let it
 * go: every student of a 75-minute class dropped out at the hour. Now the page hands the socket its
 * refreshed token (`session:renew`), and a socket whose token expires unrenewed is told `session:ended`
 * and closed by the sweep (it no longer keeps hearing the class, or a course's recordings, until it next
 * speaks). Tokens of a few seconds are minted here with the app's own secret. Real Postgres and Redis.
 */
describe('a socket keeps its session past one token by renewing it (real sockets)', () => {
  let t: TestApp;
  let launch: LaunchClient;
  let sessionId: string;
  const tokens: Record<string, string> = {};
  const clients: RoomClient[] = [];
  /** The session of `token` (same launch) in a token that expires in `seconds`. */
  const shortLived = async (token: string, seconds: number) => {
    const claims = await new SessionTokens(t.config.sessionSecret, t.config.publicUrl, 3600, 12 * 3600).verify(token);
    return (await new SessionTokens(t.config.sessionSecret, t.config.publicUrl, seconds, 12 * 3600).issue(claims))
      .token;
  };
  const connect = async (token: string) => {
    const c = new RoomClient(t.url, token);
    clients.push(c);
    await c.connected();
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp({ SESSION_SWEEP_MS: '300' });
    launch = new LaunchClient(t);
    tokens.teacher = await launch.launch('phys-101', 'dev-ada');
    tokens.grace = await launch.launch('phys-101', 'dev-grace');
    tokens.alan = await launch.launch('phys-101', 'dev-alan');
    tokens.otherCourse = await launch.launch('hist-210', 'dev-katherine');
    sessionId = (
      (await (await launch.api('/api/classroom/sessions', tokens.teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  it('an unrenewed socket is told its session ended and closed at its expiry; a renewed one stays in class', async () => {
    const teacher = await connect(tokens.teacher);
    expect((await teacher.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    const kept = await connect(await shortLived(tokens.grace, 3));
    expect((await kept.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    const dropped = await connect(await shortLived(tokens.alan, 3));
    expect((await dropped.emit(ClientEvents.join, { sessionId })).ok).toBe(true);

    // The page refreshed Grace's token over HTTP and hands it to her socket.
    const refreshed = (await (
      await fetch(`${t.url}/api/session/refresh`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.grace}`, 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as { token: string; expiresAt: string };
    const renewed = await kept.call<{ expiresAt: string }>(SessionEvents.renew, { token: refreshed.token });
    expect(renewed.ok).toBe(true);
    if (renewed.ok) expect(new Date(renewed.data.expiresAt).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);

    // Past the short tokens' expiry (and a sweep): Alan's socket heard why and was closed; Grace's is in class.
    await waitFor(() => !dropped.socket.connected, "Alan's unrenewed socket closed", 15_000);
    expect(dropped.got<Record<string, unknown>>(SessionServerEvents.ended)).toEqual([{ code: 'SESSION_EXPIRED' }]);
    expect(kept.socket.connected).toBe(true);
    expect(kept.got<Record<string, unknown>>(SessionServerEvents.ended)).toEqual([]);
    const said = await kept.emit(ClientEvents.chatSend, {
      clientId: crypto.randomUUID(),
      text: 'still here after the hour',
    });
    expect(said.ok).toBe(true);
    await teacher.waitFor(ServerEvents.chatMessage, (m) => m.text === 'still here after the hour');
  });

  it('refuses to renew with a forged token, another person’s or course’s, another launch’s or an older one, and keeps the socket’s own', async () => {
    const c = await connect(tokens.grace);
    const code = async (payload: unknown) => {
      const ack = await c.call(SessionEvents.renew, payload);
      return ack.ok ? 'OK' : ack.error.code;
    };
    expect(await code({})).toBe('INVALID_PAYLOAD');
    expect(await code({ token: 'x'.repeat(5000) })).toBe('INVALID_PAYLOAD');
    expect(await code({ token: 'not.a.token' })).toBe('SESSION_INVALID');
    const forged = tokens.grace.slice(0, -4) + (tokens.grace.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await code({ token: forged })).toBe('SESSION_INVALID');
    expect(await code({ token: tokens.alan })).toBe('SESSION_MISMATCH');
    expect(await code({ token: tokens.teacher })).toBe('SESSION_MISMATCH');
    expect(await code({ token: tokens.otherCourse })).toBe('SESSION_MISMATCH');
    // Another launch of the same person (a new launch time): a session of its own, not this one's.
    expect(await code({ token: await launch.launch('phys-101', 'dev-grace') })).toBe('SESSION_MISMATCH');
    expect(await code({ token: await shortLived(tokens.grace, 60) })).toBe('SESSION_MISMATCH');
    // The socket still runs on its own session: it joins its class as Grace.
    expect((await c.emit(ClientEvents.join, { sessionId })).ok).toBe(true);
    expect(c.socket.connected).toBe(true);
  });
});
