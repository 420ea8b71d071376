import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientEvents } from '../../contracts/realtime';
import { decodeClaims, LaunchClient } from '../../testing/lti-client';
import { RoomClient } from '../../testing/room-client';
import type { TestApp } from '../../testing/test-app';
import { startTestDeployment, type TestDeployment } from '../../testing/test-deployment';
import { waitFor } from '../../testing/wait-for';
import { SessionTokens } from './session-token';

const ADMIN = 'admin-token-for-session-tests-0123456789';
const HOUR = 3600_000;

/**
 * Sessions end: an absolute lifetime from the launch, standing re-read at every refresh, and a platform
 * disabled by the administrator ends its sessions and open sockets. Two instances of one deployment
 * (same database, Redis, secrets and public URL): A sweeps its sockets every 300 ms, B only once a
 * minute, so a socket on B closed within seconds of a disable on A was closed by the Redis announcement.
 */
describe('sessions end (real Postgres, Redis and sockets)', () => {
  let deployment: TestDeployment;
  let a: TestApp;
  let b: TestApp;
  let launch: LaunchClient;
  let platformId: string;
  const sockets: RoomClient[] = [];
  const socket = (t: TestApp, token: string) => {
    const c = new RoomClient(`http://localhost:${t.config.port}`, token);
    sockets.push(c);
    return c;
  };
  const post = (path: string, token: string, body: unknown = {}) =>
    fetch(`${a.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const errorOf = async (res: Response) => ({
    status: res.status,
    code: ((await res.json()) as { error?: { code: string } }).error?.code,
  });
  const admin = (path: string) =>
    fetch(`${a.url}/api/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
  /** A token for the claims of `token` as if launched at `launchedAt`, signed with the deployment's secret. */
  const launchedAt = async (token: string, at: number, ttlSeconds = 3600) => {
    const verified = await new SessionTokens(a.config.sessionSecret, a.config.publicUrl, 3600, 1000 * 3600).verify(
      token,
    );
    return (
      await new SessionTokens(a.config.sessionSecret, a.config.publicUrl, ttlSeconds, 1000 * 3600).issue({
        ...verified,
        launchedAt: at,
      })
    ).token;
  };

  beforeAll(async () => {
    deployment = await startTestDeployment([{ SESSION_SWEEP_MS: '300' }, { SESSION_SWEEP_MS: '60000' }], {
      ADMIN_TOKEN: ADMIN,
    });
    [a, b] = deployment.apps as [TestApp, TestApp];
    launch = new LaunchClient(a);
    [{ id: platformId }] = await a.db.query(`SELECT id FROM lti_platform WHERE issuer = $1`, [a.platformUrl]);
  });
  afterAll(async () => {
    for (const c of sockets) c.close();
    await deployment?.close();
  });

  it('refreshes a session in good standing, keeping its launch time, never past launch + 12 h', async () => {
    const token = await launch.launch('phys-101', 'dev-grace');
    const launched = decodeClaims(token).lau as number;
    expect(typeof launched).toBe('number');
    expect(Math.abs(launched - Date.now())).toBeLessThan(60_000);
    const res = await post('/api/session/refresh', token);
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as { token: string; expiresAt: string };
    expect(decodeClaims(fresh.token).lau).toBe(launched);
    expect((await launch.api('/api/lobby', fresh.token)).status).toBe(200);

    // Eleven and a half hours in: the fresh token ends with the session, not an hour later.
    const late = Date.now() - 11.5 * HOUR;
    const lateRes = await post('/api/session/refresh', await launchedAt(token, late));
    expect(lateRes.status).toBe(200);
    const lateFresh = (await lateRes.json()) as { token: string; expiresAt: string };
    expect(new Date(lateFresh.expiresAt).getTime()).toBeLessThanOrEqual(late + 12 * HOUR);
    expect(decodeClaims(lateFresh.token).lau).toBe(late);
  });

  it('refuses a session past its absolute lifetime, however it was refreshed, on the API and the socket', async () => {
    const token = await launch.launch('phys-101', 'dev-grace');
    // A token whose own expiry is an hour away, of a session launched 13 hours ago.
    const old = await launchedAt(token, Date.now() - 13 * HOUR);
    expect(await errorOf(await post('/api/session/refresh', old))).toEqual({ status: 401, code: 'SESSION_EXPIRED' });
    expect(await errorOf(await launch.api('/api/lobby', old))).toEqual({ status: 401, code: 'SESSION_EXPIRED' });
    expect(await socket(a, old).refused()).toBe('SESSION_EXPIRED');
  });

  it('closes an open socket when its session reaches its absolute lifetime (the sweep)', async () => {
    const token = await launch.launch('phys-101', 'dev-alan');
    const c = socket(a, await launchedAt(token, Date.now() - 12 * HOUR + 1500));
    await c.connected();
    expect(c.socket.connected).toBe(true);
    await waitFor(async () => !c.socket.connected, 'the socket closed at the end of its session', 5000);
  });

  it('refuses the refresh of a student who is no longer enrolled, or was removed from the live class', async () => {
    const teacher = await launch.launch('phys-101', 'dev-ada');
    const grace = await launch.launch('phys-101', 'dev-grace');
    const alan = await launch.launch('phys-101', 'dev-alan');
    const live = (
      (await (await launch.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as {
        session: { id: string };
      }
    ).session.id;

    // Dropped from the course (as a roster sync would); her next launch enrols her again.
    await a.db.query(`DELETE FROM enrolment WHERE course_id = $1 AND user_id = $2`, [
      decodeClaims(grace).crs,
      decodeClaims(grace).sub,
    ]);
    expect(await errorOf(await post('/api/session/refresh', grace))).toEqual({ status: 401, code: 'NOT_ENROLLED' });

    expect((await post('/api/session/refresh', alan)).status).toBe(200);
    await a.db.query(`INSERT INTO session_removal (session_id, user_id, removed_by) VALUES ($1, $2, $3)`, [
      live,
      decodeClaims(alan).sub,
      decodeClaims(teacher).sub,
    ]);
    expect(await errorOf(await post('/api/session/refresh', alan))).toEqual({
      status: 401,
      code: 'REMOVED_FROM_CLASS',
    });
    // The class ends: a removal from it no longer counts against the next one.
    expect((await launch.api(`/api/classroom/sessions/${live}/end`, teacher, { method: 'POST' })).status).toBeLessThan(
      300,
    );
    expect((await post('/api/session/refresh', alan)).status).toBe(200);
  });

  it('a refresh carries the role the LMS gives now, and refuses someone the roster sync says left the course', async () => {
    const ta = await launch.launch('hist-210', 'dev-alan'); // a teaching assistant of HIST-210
    const claims = decodeClaims(ta);
    expect(claims.role).toBe('teaching_assistant');
    // The LMS made him a learner (his next launch would say so; the enrolment row holds it).
    await a.db.query(`UPDATE enrolment SET role = 'learner' WHERE course_id = $1 AND user_id = $2`, [
      claims.crs,
      claims.sub,
    ]);
    const res = await post('/api/session/refresh', ta);
    expect(res.status).toBe(200);
    expect(decodeClaims(((await res.json()) as { token: string }).token).role).toBe('learner');

    const katherine = await launch.launch('hist-210', 'dev-katherine');
    expect((await post('/api/session/refresh', katherine)).status).toBe(200);
    await a.db.query(
      `INSERT INTO roster_member (course_id, subject, name, status) VALUES ($1, 'dev-katherine', 'Katherine Johnson', 'inactive')
       ON CONFLICT (course_id, subject) DO UPDATE SET status = 'inactive'`,
      [decodeClaims(katherine).crs],
    );
    expect(await errorOf(await post('/api/session/refresh', katherine))).toEqual({ status: 401, code: 'NOT_ENROLLED' });
  });

  it('a platform disabled without an announcement: every instance reads it within seconds and the socket gate refuses its events', async () => {
    const grace = await launch.launch('phys-101', 'dev-grace');
    const onB = socket(b, grace);
    await onB.connected();
    expect(await onB.call(ClientEvents.join, { sessionId: crypto.randomUUID() })).toMatchObject({
      ok: false,
      error: { code: 'SESSION_NOT_FOUND' },
    });
    // Written straight to the database (as by another tool): no instance is told.
    await a.db.query(`UPDATE lti_platform SET active = false WHERE id = $1`, [platformId]);
    try {
      const refused = await waitFor(
        async () => {
          const ack = await onB.call(ClientEvents.join, { sessionId: crypto.randomUUID() });
          return !ack.ok && ack.error.code === 'PLATFORM_DISABLED' ? ack : null;
        },
        'an event refused with PLATFORM_DISABLED',
        8000,
      );
      expect(refused.ok).toBe(false);
      expect(
        (await fetch(`http://localhost:${b.config.port}/api/lobby`, { headers: { authorization: `Bearer ${grace}` } }))
          .status,
      ).toBe(401);
    } finally {
      await a.db.query(`UPDATE lti_platform SET active = true WHERE id = $1`, [platformId]);
    }
    await waitFor(
      async () =>
        (await fetch(`http://localhost:${b.config.port}/api/lobby`, { headers: { authorization: `Bearer ${grace}` } }))
          .status === 200,
      'enabled again on B',
      8000,
    );
  });

  it('a disabled platform: refresh, API calls, exchange and new sockets refused, open sockets closed on every instance', async () => {
    const grace = await launch.launch('phys-101', 'dev-grace');
    const onA = socket(a, grace);
    const onB = socket(b, grace);
    await Promise.all([onA.connected(), onB.connected()]);
    // A launch completed before the disable whose code is traded after it.
    const login = await launch.login(await launch.loginUrl('phys-101', 'dev-alan'));
    const code = await launch.codeOf(await launch.postLaunch(await launch.authorize(login.authUrl), login.cookie));

    const disabledAt = Date.now();
    expect((await admin(`/platforms/${platformId}/disable`)).status).toBe(200);
    try {
      expect(await errorOf(await post('/api/session/refresh', grace))).toEqual({
        status: 401,
        code: 'PLATFORM_DISABLED',
      });
      expect(await errorOf(await launch.api('/api/lobby', grace))).toEqual({ status: 401, code: 'PLATFORM_DISABLED' });
      const exchanged = await fetch(`${a.url}/api/session/exchange`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
      expect(await errorOf(exchanged)).toEqual({ status: 401, code: 'PLATFORM_DISABLED' });
      // B sweeps once a minute: its socket closes this fast only because A announced the disable.
      await waitFor(async () => !onA.socket.connected && !onB.socket.connected, 'both sockets closed', 4000);
      expect(Date.now() - disabledAt).toBeLessThan(4000);
      expect(await socket(b, grace).refused()).toBe('PLATFORM_DISABLED');
      // B's own HTTP guard knows too (its cache was reloaded on the announcement).
      const onBApi = await fetch(`http://localhost:${b.config.port}/api/lobby`, {
        headers: { authorization: `Bearer ${grace}` },
      });
      expect(await errorOf(onBApi)).toEqual({ status: 401, code: 'PLATFORM_DISABLED' });
    } finally {
      expect((await admin(`/platforms/${platformId}/enable`)).status).toBe(200);
    }
    // Enabled again: the same session works again (it was refused, not destroyed).
    expect((await post('/api/session/refresh', grace)).status).toBe(200);
    const again = socket(a, grace);
    await again.connected();
    expect(again.socket.connected).toBe(true);
  });
});
