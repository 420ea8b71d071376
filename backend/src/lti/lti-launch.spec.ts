import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaunchClient } from '../testing/lti-client';
import { countTenantRows, startTestApp, TestApp } from '../testing/test-app';

describe('LTI 1.3 launch through the dev platform (real Postgres, Redis, ltijs)', () => {
  let t: TestApp;
  let client: LaunchClient;

  beforeAll(async () => {
    t = await startTestApp();
    client = new LaunchClient(t);
  });
  afterAll(() => t?.close());

  it('publishes the tool JWKS through ltijs', async () => {
    const res = await fetch(`${t.url}/lti/keys`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.keys.length).toBeGreaterThan(0);
    expect(body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  it('reports database and Redis health', async () => {
    const res = await fetch(`${t.url}/api/health`);
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toMatchObject({
      status: 'ok',
      database: { status: 'up' },
      redis: { status: 'up' },
    });
  });

  it('lands an instructor in the lobby, with tenant rows written', async () => {
    const token = await client.launch('phys-101', 'dev-ada');
    const lobby = (await (await client.api('/api/lobby', token)).json()) as any;
    expect(lobby).toMatchObject({
      course: { title: 'Introduction to Physics', label: 'PHYS-101' },
      activity: { title: 'Live lectures' },
      me: { name: 'Ada Lovelace', role: 'instructor', canTeach: true },
      liveSession: null,
    });
    const [row] = await t.db.query(
      `SELECT e.role, e.lti_roles, u.subject, c.context_id, p.issuer, d.deployment_id FROM enrolment e
         JOIN lti_user u ON u.id = e.user_id JOIN course c ON c.id = e.course_id
         JOIN lti_platform p ON p.id = c.platform_id JOIN lti_deployment d ON d.id = c.deployment_id`,
    );
    expect(row).toMatchObject({
      role: 'instructor',
      subject: 'dev-ada',
      context_id: 'phys-101',
      issuer: t.platformUrl,
      deployment_id: 'dev-deployment-1',
    });
    expect(row.lti_roles).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor']);
  });

  it('lets the instructor start a class that the student then sees live', async () => {
    const teacher = await client.launch('phys-101', 'dev-ada');
    const started = (await (await client.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as any;
    expect(started.created).toBe(true);
    // Pressing "Start class" again returns the same live session.
    const again = (await (await client.api('/api/classroom/sessions', teacher, { method: 'POST' })).json()) as any;
    expect(again).toMatchObject({ created: false, session: { id: started.session.id } });

    const student = await client.launch('phys-101', 'dev-grace');
    const lobby = (await (await client.api('/api/lobby', student)).json()) as any;
    expect(lobby.me).toMatchObject({ name: 'Grace Hopper', role: 'learner', canTeach: false });
    expect(lobby.liveSession).toMatchObject({ id: started.session.id, startedBy: 'Ada Lovelace', endedAt: null });

    const end = await client.api(`/api/classroom/sessions/${started.session.id}/end`, teacher, { method: 'POST' });
    expect(end.status).toBe(200);
    expect(((await end.json()) as any).endedAt).not.toBeNull();
    expect(((await (await client.api('/api/lobby', student)).json()) as any).liveSession).toBeNull();
  });

  it('answers the launch with the app carrying a one-time code in the page, never in a URL', async () => {
    const login = await client.login(await client.loginUrl('phys-101', 'dev-grace'));
    const res = await client.postLaunch(await client.authorize(login.authUrl), login.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    const code = await client.codeOf(res);
    await client.exchange(code);
    await expect(client.exchange(code)).rejects.toThrow(/401/);
  });

  it('serves the SPA for its own routes', async () => {
    const res = await fetch(`${t.url}/lobby`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<app-root');
  });

  it('counts the rows of one course launch', async () => {
    const before = await countTenantRows(t.db);
    await client.launch('hist-210', 'dev-katherine');
    const after = await countTenantRows(t.db);
    expect(after.course - before.course).toBe(1);
    expect(after.enrolment - before.enrolment).toBe(1);
    expect(after.classroom_activity - before.classroom_activity).toBe(1);
  });
});
