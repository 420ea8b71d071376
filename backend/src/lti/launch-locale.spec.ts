import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaunchClient } from '../testing/lti-client';
import { startTestApp, TestApp } from '../testing/test-app';

/** The LMS's language reaches the app: launch_presentation.locale → the launch code → the exchange's answer. */
describe('the launch locale (dev LMS, real Postgres and Redis)', () => {
  let t: TestApp;
  let client: LaunchClient;

  beforeAll(async () => {
    t = await startTestApp();
    client = new LaunchClient(t);
  });
  afterAll(() => t?.close());

  const exchange = async (extra: Record<string, string>) => {
    const login = await client.login(await client.loginUrl('phys-101', 'dev-grace', extra));
    const form = await client.authorize(login.authUrl);
    const claims = decodeJwt(form.id_token);
    const res = await client.postLaunch(form, login.cookie);
    const answer = await fetch(`${t.url}/api/session/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: await client.codeOf(res) }),
    });
    expect(answer.status).toBe(200);
    return { claims, session: (await answer.json()) as Record<string, unknown> };
  };

  it('hands the app the language the LMS sent, and where to go back to', async () => {
    const { claims, session } = await exchange({ locale: 'es-419' });
    expect(claims['https://purl.imsglobal.org/spec/lti/claim/launch_presentation']).toMatchObject({
      locale: 'es-419',
    });
    expect(session).toMatchObject({
      landing: 'lobby',
      locale: 'es-419',
      returnUrl: `${t.platformUrl}/?course=phys-101`,
    });
  });

  it('says nothing of a language when the LMS sent none (or one the dev LMS does not offer)', async () => {
    expect((await exchange({})).session.locale).toBeNull();
    const odd = await exchange({ locale: '<script>' });
    expect(odd.claims['https://purl.imsglobal.org/spec/lti/claim/launch_presentation']).not.toHaveProperty('locale');
    expect(odd.session.locale).toBeNull();
  });
});
