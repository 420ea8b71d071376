import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeepLinkingResponse, DeepLinkingView, LobbyView } from '../contracts/api';
import { DevLmsServices } from '../dev-platform/dev-lms-services';
import { LTI } from '../tenancy/domain/launch-identity';
import { decodeClaims as decode, errorCodeOf as errorCode, LaunchClient } from '../testing/lti-client';
import { countTenantRows, startTestApp, TestApp } from '../testing/test-app';
import { waitFor } from '../testing/wait-for';

describe('deep linking a classroom into the dev LMS', () => {
  let t: TestApp;
  let client: LaunchClient;
  let lms: DevLmsServices;

  beforeAll(async () => {
    t = await startTestApp();
    client = new LaunchClient(t);
    lms = t.app.get(DevLmsServices);
  });
  afterAll(() => t?.close());

  /** Launches a deep-linking request as the course's instructor; returns the session token. */
  async function deepLinkSession(): Promise<string> {
    const login = await client.login(await client.loginUrl('phys-101', 'dev-ada', { dl: '1' }));
    const form = await client.authorize(login.authUrl);
    expect(decode(form.id_token)[LTI.messageType]).toBe('LtiDeepLinkingRequest');
    const res = await client.postLaunch(form, login.cookie);
    const code = await client.codeOf(res);
    const ex = await fetch(`${t.url}/api/session/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    const body = (await ex.json()) as { token: string; landing: string };
    expect(body.landing).toBe('deep-link');
    return body.token;
  }

  const postToPlatform = (r: DeepLinkingResponse) =>
    fetch(r.returnUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ JWT: r.jwt }),
    });

  let placedLinkId: number;

  it('creates a graded classroom, answers with a signed response, and the LMS places the link with a line item', async () => {
    const token = await deepLinkSession();
    const view = (await (await client.api('/api/deep-linking', token)).json()) as DeepLinkingView;
    expect(view.course.title).toBe('Introduction to Physics');
    const res = await client.api('/api/deep-linking/respond', token, {
      method: 'POST',
      body: JSON.stringify({ title: 'Week 5 review', attendancePoints: 10, scheduledFor: '2026-12-01T09:00:00Z' }),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as DeepLinkingResponse;
    expect(answer.returnUrl).toBe(`${t.platformUrl}/deep-link-return`);
    const claims = decode(answer.jwt);
    expect(claims[LTI.messageType]).toBe('LtiDeepLinkingResponse');
    expect((claims['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as unknown[])[0]).toMatchObject({
      type: 'ltiResourceLink',
      title: 'Week 5 review',
      lineItem: { scoreMaximum: 10, tag: 'lectern:attendance' },
    });

    const placed = await postToPlatform(answer);
    expect(placed.status).toBe(200);
    expect(await placed.text()).toContain('id="deep-link-done"');
    const links = await lms.placedLinks('phys-101');
    expect(links).toHaveLength(1);
    placedLinkId = links[0].id;
    expect(links[0].custom.lectern_classroom).toMatch(/^[0-9a-f-]{36}$/);
    const { items } = await lms.gradebook('phys-101');
    expect(items.filter((i) => i.tag === 'lectern:attendance')).toHaveLength(1);

    // The LMS refuses the same response twice; Lectern refuses to answer the same request twice.
    expect((await postToPlatform(answer)).status).toBe(409);
    const again = await client.api('/api/deep-linking/respond', token, {
      method: 'POST',
      body: JSON.stringify({ title: 'Again' }),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('DEEP_LINK_DONE_OR_EXPIRED');
  });

  it('opens the placed link into the classroom it names, and grades land on the line item the LMS made', async () => {
    const student = await client.launch('phys-101', 'dev-grace');
    const login = await client.login(await client.loginUrl('phys-101', 'dev-grace', { link: String(placedLinkId) }));
    const form = await client.authorize(login.authUrl);
    const studentInLink = await client.exchange(await client.codeOf(await client.postLaunch(form, login.cookie)));
    const lobby = (await (await client.api('/api/lobby', studentInLink)).json()) as LobbyView;
    expect(lobby.activity).toMatchObject({ title: 'Week 5 review', attendancePoints: 10 });
    expect(student).toBeTruthy();

    const tl = await client.login(await client.loginUrl('phys-101', 'dev-ada', { link: String(placedLinkId) }));
    const teacher = await client.exchange(
      await client.codeOf(await client.postLaunch(await client.authorize(tl.authUrl), tl.cookie)),
    );
    const put = await client.api('/api/grades/attendance/dev-grace', teacher, {
      method: 'PUT',
      body: JSON.stringify({ scoreGiven: 9 }),
    });
    expect(put.status).toBe(200);
    await waitFor(
      async () =>
        (await lms.gradebook('phys-101')).scores.some((s) => s.user_id === 'dev-grace' && Number(s.score_given) === 9),
      'the grade in the LMS',
    );
    const { items, scores } = await lms.gradebook('phys-101');
    expect(items.filter((i) => i.tag === 'lectern:attendance')).toHaveLength(1);
    expect(scores.find((s) => s.user_id === 'dev-grace')!.lineitem_id).toBe(
      items.find((i) => i.resource_link_id === `dl-${placedLinkId}`)!.id,
    );
  });

  it('refuses a launch whose classroom belongs to another course, writing nothing', async () => {
    await client.launch('hist-210', 'dev-ada');
    const [hist] = await t.db.query(
      `SELECT a.id FROM classroom_activity a JOIN course c ON c.id = a.course_id WHERE c.context_id = 'hist-210'`,
    );
    const login = await client.login(await client.loginUrl('phys-101', 'dev-grace', { link: String(placedLinkId) }));
    const form = await client.authorize(login.authUrl);
    const claims = { ...decode(form.id_token), [LTI.custom]: { lectern_classroom: hist.id } };
    const before = await countTenantRows(t.db);
    const res = await client.postLaunch(
      { id_token: await t.devPlatform.sign(claims), state: form.state },
      login.cookie,
    );
    expect(res.status).toBe(403);
    expect(errorCode(await res.text())).toBe('CLASSROOM_NOT_IN_COURSE');
    expect(await countTenantRows(t.db)).toEqual(before);
  });

  it('refuses a deep-linking request from a student', async () => {
    const login = await client.login(await client.loginUrl('phys-101', 'dev-ada', { dl: '1' }));
    const form = await client.authorize(login.authUrl);
    const claims = {
      ...decode(form.id_token),
      sub: 'dev-grace',
      [LTI.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    };
    const res = await client.postLaunch(
      { id_token: await t.devPlatform.sign(claims), state: form.state },
      login.cookie,
    );
    expect(res.status).toBe(403);
    expect(errorCode(await res.text())).toBe('DEEP_LINKING_TEACHER_ONLY');
  });

  it('refuses deep-linking calls from an ordinary classroom session', async () => {
    const teacher = await client.launch('phys-101', 'dev-ada');
    const res = await client.api('/api/deep-linking', teacher);
    expect(res.status).toBe(403);
  });
});
