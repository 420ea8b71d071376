import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LTI } from '../tenancy/domain/launch-identity';
import { decodeClaims as decode, errorCodeOf as errorCode, LaunchClient } from '../testing/lti-client';
import { countTenantRows, startTestApp, TestApp } from '../testing/test-app';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('bad launches and bad API calls are refused, and write nothing', () => {
  let t: TestApp;
  let client: LaunchClient;

  beforeAll(async () => {
    t = await startTestApp();
    client = new LaunchClient(t);
  });
  afterAll(() => t?.close());

  /** A fresh login for Grace in PHYS-101, with the claims the platform would send. */
  async function prepared() {
    const login = await client.login(await client.loginUrl('phys-101', 'dev-grace'));
    const form = await client.authorize(login.authUrl);
    return { login, form, claims: decode(form.id_token) as Record<string, unknown> };
  }

  /** Posts a launch and checks it is refused with `status` and `code`, leaving the tenant tables as they were. */
  async function expectRefused(form: Record<string, string>, cookie: string, status: number, code: string | RegExp) {
    const before = await countTenantRows(t.db);
    const res = await client.postLaunch(form, cookie);
    const html = await res.text();
    expect(res.status, html).toBe(status);
    if (typeof code === 'string') expect(errorCode(html)).toBe(code);
    else expect(errorCode(html)).toMatch(code);
    expect(await countTenantRows(t.db)).toEqual(before);
  }

  async function withClaims(patch: (c: Record<string, unknown>) => void, status: number, code: string | RegExp) {
    const { login, form, claims } = await prepared();
    patch(claims);
    await expectRefused({ id_token: await t.devPlatform.sign(claims), state: form.state }, login.cookie, status, code);
  }

  it('answers every path under /lti that is not one of its routes at once (404), never leaving the request hanging', async () => {
    for (const p of [
      '/lti/login/?iss=x',
      '/lti/LOGIN/?iss=x',
      '/lti//login?iss=x',
      '/lti/keys/',
      '/lti/nothing',
      '/lti/login/extra',
    ]) {
      const res = await fetch(`${t.url}${p}`, { redirect: 'manual', signal: AbortSignal.timeout(3000) });
      expect(res.status, p).toBe(404);
    }
    // The real routes still answer.
    expect((await fetch(`${t.url}/lti/keys`, { signal: AbortSignal.timeout(3000) })).status).toBe(200);
    expect(
      (await fetch(`${t.url}/lti/login?iss=x`, { redirect: 'manual', signal: AbortSignal.timeout(3000) })).status,
    ).toBe(400);
  });

  it('refuses a forged signature (right kid, wrong key)', async () => {
    const { login, form, claims } = await prepared();
    const { privateKey } = await generateKeyPair('RS256');
    const kid = JSON.parse(Buffer.from(form.id_token.split('.')[0], 'base64url').toString()).kid;
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
    await expectRefused({ id_token: forged, state: form.state }, login.cookie, 401, /signature/i);
  });

  it('refuses alg: none', async () => {
    const { login, form, claims } = await prepared();
    const unsigned = `${b64({ alg: 'none', kid: 'x' })}.${b64(claims)}.`;
    await expectRefused({ id_token: unsigned, state: form.state }, login.cookie, 401, 'ALG_NOT_ALLOWED');
  });

  it('refuses an unknown key id', async () => {
    const { login, form, claims } = await prepared();
    const token = await t.devPlatform.sign(claims, { kid: 'no-such-key' });
    await expectRefused({ id_token: token, state: form.state }, login.cookie, 401, 'KEY_NOT_FOUND');
  });

  it('refuses a login initiation from an unknown issuer or client id', async () => {
    const url = new URL(await client.loginUrl('phys-101', 'dev-grace'));
    url.searchParams.set('iss', 'https://unknown-lms.example');
    let res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe('PLATFORM_UNKNOWN');
    url.searchParams.set('iss', t.platformUrl);
    url.searchParams.set('client_id', 'someone-else');
    res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe('PLATFORM_UNKNOWN');
  });

  it('refuses an id_token from another issuer than the login', () =>
    withClaims((c) => (c.iss = 'https://unknown-lms.example'), 401, 'ISSUER_MISMATCH'));
  it('refuses a wrong audience', () => withClaims((c) => (c.aud = 'another-tool'), 401, 'AUDIENCE_MISMATCH'));
  it('refuses a wrong azp', () => withClaims((c) => (c.azp = 'another-tool'), 401, 'AZP_MISMATCH'));
  it('refuses several audiences without azp', () =>
    withClaims(
      (c) => {
        c.aud = [c.aud, 'another-tool'];
        delete c.azp;
      },
      401,
      'AZP_MISSING',
    ));
  it('refuses an expired token', () =>
    withClaims(
      (c) => {
        c.iat = Math.floor(Date.now() / 1000) - 7200;
        c.exp = Math.floor(Date.now() / 1000) - 3600;
      },
      401,
      'TOKEN_EXPIRED',
    ));
  it('refuses iat in the future', () =>
    withClaims((c) => (c.iat = Math.floor(Date.now() / 1000) + 3600), 401, 'IAT_IN_FUTURE'));
  it('refuses a nonce other than the one sent at login', () =>
    withClaims((c) => (c.nonce = 'not-the-login-nonce'), 401, 'NONCE_MISMATCH'));
  it('refuses an unknown deployment', () =>
    withClaims((c) => (c[LTI.deploymentId] = 'dep-not-registered'), 403, 'DEPLOYMENT_UNKNOWN'));
  it('refuses a missing message type', () => withClaims((c) => delete c[LTI.messageType], 400, 'MESSAGE_TYPE_MISSING'));
  it('refuses a missing version', () => withClaims((c) => delete c[LTI.version], 400, 'VERSION_MISSING'));
  it('refuses missing roles', () => withClaims((c) => delete c[LTI.roles], 400, 'ROLES_MISSING'));
  it('refuses a missing resource link', () =>
    withClaims((c) => delete c[LTI.resourceLink], 400, 'RESOURCE_LINK_MISSING'));
  it('refuses a target_link_uri on another host', () =>
    withClaims((c) => (c[LTI.targetLinkUri] = 'https://evil.example/lti'), 400, 'TARGET_LINK_URI_FOREIGN'));
  it('refuses a role Lectern does not support, after verification', () =>
    withClaims(
      (c) => (c[LTI.roles] = ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student']),
      403,
      'ROLE_NOT_SUPPORTED',
    ));

  it('refuses a replayed id_token', async () => {
    const { login, form } = await prepared();
    const first = await client.postLaunch(form, login.cookie);
    expect(await client.codeOf(first)).toBeTruthy();
    await expectRefused(form, login.cookie, 401, 'STATE_REUSED');
  });

  it('refuses a missing, unknown or foreign state', async () => {
    const a = await prepared();
    const b = await prepared();
    await expectRefused({ id_token: a.form.id_token }, a.login.cookie, 401, 'STATE_MISSING');
    await expectRefused({ id_token: a.form.id_token, state: 'no-such-state' }, a.login.cookie, 401, 'STATE_UNKNOWN');
    // B's state with A's token: the nonce does not match what was sent with B's login.
    await expectRefused({ id_token: a.form.id_token, state: b.form.state }, b.login.cookie, 401, 'NONCE_MISMATCH');
  });

  it('refuses a launch continuation ticket posted from another site', async () => {
    const before = await countTenantRows(t.db);
    const res = await fetch(`${t.url}/lti`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://attacker.example' },
      body: new URLSearchParams({ lectern_ticket: 'x'.repeat(32) }),
    });
    expect(res.status).toBe(403);
    expect(errorCode(await res.text())).toBe('LAUNCH_TICKET_CROSS_SITE');
    expect(await countTenantRows(t.db)).toEqual(before);
  });

  it('refuses a launch without id_token, or with garbage', async () => {
    const { login, form } = await prepared();
    await expectRefused({ state: form.state }, login.cookie, 400, 'ID_TOKEN_MISSING');
    await expectRefused({ id_token: 'garbage', state: form.state }, login.cookie, 400, 'ID_TOKEN_MALFORMED');
  });

  it('does not let a launch through without the login cookie or client-side storage: offers a new window', async () => {
    const { form, login } = await prepared();
    const before = await countTenantRows(t.db);
    const res = await client.postLaunch(form, '');
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('id="open-new-window"');
    const relaunch = /href="([^"]+)"/
      .exec(html.slice(html.indexOf('id="open-new-window"') - 200))![1]
      .replace(/&amp;/g, '&');
    expect(new URL(relaunch).pathname).toBe('/lti/login');
    expect(new URL(relaunch).searchParams.get('login_hint')).toBe('dev-grace');
    expect(await countTenantRows(t.db)).toEqual(before);
    // Still unused: the same launch with its cookie goes through.
    expect(await client.codeOf(await client.postLaunch(form, login.cookie))).toBeTruthy();
  });

  describe('API authorisation by role and tenant', () => {
    it('refuses calls without a valid session token', async () => {
      expect((await client.api('/api/lobby', null)).status).toBe(401);
      const res = await client.api('/api/lobby', 'not-a-token');
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('SESSION_INVALID');
    });

    it('refuses a student starting or ending a class', async () => {
      const student = await client.launch('phys-101', 'dev-grace');
      const before = await countTenantRows(t.db);
      const res = await client.api('/api/classroom/sessions', student, { method: 'POST' });
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('TEACHER_ONLY');
      const teacher = await client.launch('phys-101', 'dev-ada');
      const { session } = (await (
        await client.api('/api/classroom/sessions', teacher, { method: 'POST' })
      ).json()) as any;
      const end = await client.api(`/api/classroom/sessions/${session.id}/end`, student, { method: 'POST' });
      expect(end.status).toBe(403);
      expect((await countTenantRows(t.db)).live_session).toBe(before.live_session + 1);
    });

    it('validates ids', async () => {
      const teacher = await client.launch('phys-101', 'dev-ada');
      const res = await client.api('/api/classroom/sessions/not-a-uuid', teacher);
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.code).toBe('INVALID_INPUT');
    });

    it("keeps one course from reading or ending another course's class", async () => {
      const physTeacher = await client.launch('phys-101', 'dev-ada');
      const { session } = (await (
        await client.api('/api/classroom/sessions', physTeacher, { method: 'POST' })
      ).json()) as any;
      const histTeacher = await client.launch('hist-210', 'dev-ada');
      expect((await client.api(`/api/classroom/sessions/${session.id}`, histTeacher)).status).toBe(404);
      expect(
        (await client.api(`/api/classroom/sessions/${session.id}/end`, histTeacher, { method: 'POST' })).status,
      ).toBe(404);
      expect(
        ((await (await client.api(`/api/classroom/sessions/${session.id}`, physTeacher)).json()) as any).endedAt,
      ).toBeNull();
    });

    it('keeps two platforms apart even with the same course and user ids', async () => {
      const physTeacher = await client.launch('phys-101', 'dev-ada');
      const { session } = (await (
        await client.api('/api/classroom/sessions', physTeacher, { method: 'POST' })
      ).json()) as any;

      // A second LMS (another issuer) whose course and user carry the very same LTI ids.
      const otherIssuer = `${t.platformUrl}-b`;
      await t.devPlatform.registerWithTool(otherIssuer);
      const url = new URL(await client.loginUrl('phys-101', 'dev-ada'));
      url.searchParams.set('iss', otherIssuer);
      const login = await client.login(url.toString());
      const form = await client.authorize(login.authUrl);
      const claims = { ...decode(form.id_token), iss: otherIssuer };
      const res = await client.postLaunch(
        { id_token: await t.devPlatform.sign(claims), state: form.state },
        login.cookie,
      );
      const otherTeacher = await client.exchange(await client.codeOf(res));

      const lobby = (await (await client.api('/api/lobby', otherTeacher)).json()) as any;
      expect(lobby.course.title).toBe('Introduction to Physics');
      expect(lobby.liveSession).toBeNull();
      expect((await client.api(`/api/classroom/sessions/${session.id}`, otherTeacher)).status).toBe(404);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM course WHERE context_id = 'phys-101'`);
      expect(n).toBe(2);
    });
  });
});
