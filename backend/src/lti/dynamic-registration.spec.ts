import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LobbyView } from '../contracts/api';
import { DevClients } from '../dev-platform/dev-clients';
import { canvasPlacements, canvasPrivacyLevel, moodleTool } from '../dev-platform/domain/lms-registration-emulation';
import { canvasConfigurationProblems } from '../testing/canvas-configuration-check';
import { DynamicRegistrationService } from './dynamic-registration.service';
import { LaunchClient } from '../testing/lti-client';
import { startTestApp, TestApp } from '../testing/test-app';

describe('LTI Dynamic Registration with the dev LMS', () => {
  let t: TestApp;
  let client: LaunchClient;
  let clients: DevClients;

  beforeAll(async () => {
    t = await startTestApp();
    client = new LaunchClient(t);
    clients = t.app.get(DevClients);
  });
  afterAll(() => t?.close());

  const configUrl = () => `${t.platformUrl}/.well-known/openid-configuration`;
  const registrationUrl = async (cfg: string, token?: string, invite?: string | null) => {
    const u = new URL(
      invite === null
        ? `${t.url}/lti/register`
        : (invite ?? (await t.app.get(DynamicRegistrationService).createInvite()).url),
    );
    u.searchParams.set('openid_configuration', cfg);
    if (token) u.searchParams.set('registration_token', token);
    return u.toString();
  };
  const platforms = () =>
    t.db.query(`SELECT issuer, client_id, source, accept_new_deployments FROM lti_platform ORDER BY created_at`);

  it('registers from the platform configuration, stores client id and deployment, closes the window, and the new registration launches', async () => {
    const res = await fetch(await registrationUrl(configUrl(), await clients.startRegistration()));
    const html = await res.text();
    expect(res.status, html).toBe(200);
    expect(html).toContain('id="registration-done"');
    expect(html).toContain("subject: 'org.imsglobal.lti.close'");
    const rows = await platforms();
    const dynamic = rows.find((r: { source: string }) => r.source === 'dynamic');
    expect(dynamic).toMatchObject({ issuer: t.platformUrl, accept_new_deployments: false });
    expect(dynamic.client_id).toMatch(/^dyn-/);
    const [dep] = await t.db.query(
      `SELECT d.deployment_id FROM lti_deployment d JOIN lti_platform p ON p.id = d.platform_id WHERE p.client_id = $1`,
      [dynamic.client_id],
    );
    expect(dep.deployment_id).toMatch(/^dyn-dep-/);
    const registered = await clients.get(dynamic.client_id);
    expect(registered).toMatchObject({
      loginUrl: `${t.url}/lti/login`,
      redirectUris: [`${t.url}/lti`],
      jwksUri: `${t.url}/lti/keys`,
    });

    // A launch with the new registration: its own tenant (same issuer, another client id).
    const login = await client.login(await client.loginUrl('phys-101', 'dev-ada', { client: dynamic.client_id }));
    expect(login.authUrl.searchParams.get('client_id')).toBe(dynamic.client_id);
    const token = await client.exchange(
      await client.codeOf(await client.postLaunch(await client.authorize(login.authUrl), login.cookie)),
    );
    const lobby = (await (await client.api('/api/lobby', token)).json()) as LobbyView;
    expect(lobby.me).toMatchObject({ name: 'Ada Lovelace', role: 'instructor' });
    const [{ n }] = await t.db.query(
      `SELECT count(DISTINCT platform_id)::int AS n FROM course WHERE context_id = 'phys-101'`,
    );
    expect(n).toBe(1);
  });

  it('refuses a registration URL without a valid invite, and an invite used twice', async () => {
    const before = await platforms();
    const open = await fetch(await registrationUrl(configUrl(), await clients.startRegistration(), null));
    expect(open.status).toBe(400);
    expect(await open.text()).toMatch(/registration URL is not valid/);
    const invite = (await t.app.get(DynamicRegistrationService).createInvite()).url;
    expect((await fetch(await registrationUrl(configUrl(), await clients.startRegistration(), invite))).status).toBe(
      200,
    );
    const again = await fetch(await registrationUrl(configUrl(), await clients.startRegistration(), invite));
    expect(again.status).toBe(400);
    expect((await platforms()).length).toBe(before.length + 1);
  });

  it('registers one platform when two registrations race with one invite; the other is told the invite is taken', async () => {
    const before = (await platforms()).length;
    const invite = (await t.app.get(DynamicRegistrationService).createInvite()).url;
    const [a, b] = await Promise.all([
      (async () => fetch(await registrationUrl(configUrl(), await clients.startRegistration(), invite)))(),
      (async () => fetch(await registrationUrl(configUrl(), await clients.startRegistration(), invite)))(),
    ]);
    const answers = await Promise.all([a, b].map(async (r) => ({ status: r.status, html: await r.text() })));
    expect(answers.map((x) => x.status).sort()).toEqual([200, 400]);
    const loser = answers.find((x) => x.status === 400)!;
    expect(loser.html).toContain('id="registration-problems"');
    expect(loser.html).toMatch(/registration URL has already been used \(one invite registers one platform\)/);
    expect((await platforms()).length).toBe(before + 1);
    // And afterwards the invite stays used.
    const late = await fetch(await registrationUrl(configUrl(), await clients.startRegistration(), invite));
    expect(late.status).toBe(400);
    expect(await late.text()).toMatch(/already been used/);
    expect((await platforms()).length).toBe(before + 1);
  });

  it('gives the invite back when its registration fails, so the fixed LMS can paste the same URL again', async () => {
    const invite = (await t.app.get(DynamicRegistrationService).createInvite()).url;
    const failed = await fetch(
      await registrationUrl(`${t.platformUrl}/no-such-config`, await clients.startRegistration(), invite),
    );
    expect(failed.status).toBe(400);
    expect(await failed.text()).toMatch(/answered 404/);
    const before = (await platforms()).length;
    expect((await fetch(await registrationUrl(configUrl(), await clients.startRegistration(), invite))).status).toBe(
      200,
    );
    expect((await platforms()).length).toBe(before + 1);
  });

  it('the dev LMS opens only http(s) registration URLs in its frame', async () => {
    for (const url of [
      'javascript:alert(document.domain)',
      'data:text/html,<script>alert(1)</script>',
      'JaVaScRiPt:alert(1)',
      'vbscript:x',
    ]) {
      const res = await fetch(`${t.platformUrl}/admin/tools/register?url=${encodeURIComponent(url)}`);
      const html = await res.text();
      expect(res.status, url).toBe(400);
      expect(html).toContain('must be an http or https URL');
      expect(html).not.toContain('<iframe');
    }
    const ok = await fetch(
      `${t.platformUrl}/admin/tools/register?url=${encodeURIComponent(`${t.url}/lti/register?invite=x`)}`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(
      /<iframe[^>]+src="http:\/\/localhost:\d+\/lti\/register\?invite=x&amp;openid_configuration=/,
    );
  });

  it('refuses a registration token used twice, registering nothing', async () => {
    const token = await clients.startRegistration();
    expect((await fetch(await registrationUrl(configUrl(), token))).status).toBe(200);
    const before = await platforms();
    const res = await fetch(await registrationUrl(configUrl(), token));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/refused the registration \(401\)/);
    expect(await platforms()).toEqual(before);
  });

  it.each<[string, () => string, RegExp]>([
    [
      'a configuration whose issuer is on another host',
      () => configUrl().replace('127.0.0.1', 'localhost'),
      /same host/,
    ],
    ['something that is not a configuration', () => `${t.url}/api/health`, /issuer must be|lti-platform-configuration/],
    ['a configuration URL that answers 404', () => `${t.platformUrl}/no-such-config`, /answered 404/],
    ['a configuration URL that is not a URL', () => 'not a url', /not a URL/],
    ['a configuration URL that is not http', () => 'file:///etc/passwd', /https URL/],
  ])('refuses %s with a clear page, registering nothing', async (_name, cfg, problem) => {
    const before = await platforms();
    const res = await fetch(await registrationUrl(cfg(), await clients.startRegistration()));
    const html = await res.text();
    expect(res.status).toBe(400);
    expect(html).toContain('id="registration-problems"');
    expect(html).toMatch(problem);
    expect(await platforms()).toEqual(before);
  });

  it('explains a registration URL opened without a configuration', async () => {
    const res = await fetch((await t.app.get(DynamicRegistrationService).createInvite()).url);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/openid_configuration is missing/);
  });

  /** Registers through the dev LMS answering as Canvas or Moodle; returns the registration it received. */
  const registerAs = async (as: 'canvas' | 'moodle') => {
    const before = new Set((await platforms()).map((r: { client_id: string }) => r.client_id));
    const res = await fetch(await registrationUrl(`${configUrl()}?as=${as}`, await clients.startRegistration()));
    expect(res.status, await res.text()).toBe(200);
    const added = (await platforms()).filter((r: { client_id: string }) => !before.has(r.client_id));
    expect(added).toHaveLength(1);
    return (await clients.registrationOf(added[0].client_id))!;
  };

  it('registers with a Canvas-like platform: course navigation for members, deep linking from Modules and Assignments, public privacy', async () => {
    const reg = await registerAs('canvas');
    expect(canvasPrivacyLevel(reg)).toBe('public');
    const placements = canvasPlacements(reg);
    expect(placements.map((p) => [p.placement, p.message_type])).toEqual([
      ['course_navigation', 'LtiResourceLinkRequest'],
      ['link_selection', 'LtiDeepLinkingRequest'],
      ['assignment_selection', 'LtiDeepLinkingRequest'],
    ]);
    expect(placements[0]).toMatchObject({ visibility: 'members', target_link_uri: `${t.url}/lti` });
    expect(placements[1]).toMatchObject({ selection_width: 800, selection_height: 600 });
  });

  it('a Canvas-like platform refuses its configuration without the registration token, as Canvas does', async () => {
    const res = await fetch(`${configUrl()}?as=canvas`);
    expect(res.status).toBe(401);
  });

  it('registers with a Moodle-like platform (messages_supported as strings): deep linking on, grades and names asked for', async () => {
    const tool = moodleTool(await registerAs('moodle'));
    expect(tool).toMatchObject({
      contentitem: true,
      acceptgrades: 'delegate to teacher',
      coursevisible: 'preconfigured',
      sendname: 'always',
      sendemailaddr: 'always',
    });
  });

  it('serves the Canvas configuration URL as JSON, built from PUBLIC_URL', async () => {
    const res = await fetch(`${t.url}/lti/canvas.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = (await res.json()) as Parameters<typeof canvasConfigurationProblems>[0];
    expect(canvasConfigurationProblems(json, t.url)).toEqual([]);
    expect(JSON.stringify(json)).not.toContain('example.edu');
    // Other paths under /lti still answer 404.
    expect((await fetch(`${t.url}/lti/canvas.jsonx`)).status).toBe(404);
    expect((await fetch(`${t.url}/lti/moodle.json`)).status).toBe(404);
  });
});
