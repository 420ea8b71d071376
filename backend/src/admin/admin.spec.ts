import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminPlatformView } from '../contracts/api';
import { KeyRotationService } from '../lti/key-rotation.service';
import { PlatformServiceClient } from '../lti/infra/platform-service-client';
import { ToolSigner } from '../lti/infra/tool-signer';
import { LaunchClient } from '../testing/lti-client';
import { startTestApp, TestApp } from '../testing/test-app';

const ADMIN = 'admin-token-for-tests-0123456789';

describe('operator admin: platforms and key rotation', () => {
  let t: TestApp;
  let client: LaunchClient;
  const admin = (path: string, init: RequestInit = {}, token = ADMIN) =>
    fetch(`${t.url}/api/admin${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN: ADMIN, KEY_ROTATION_GRACE_HOURS: '0' });
    client = new LaunchClient(t);
  });
  afterAll(() => t?.close());

  it('refuses a wrong token', async () => {
    const res = await admin('/platforms', {}, 'x'.repeat(ADMIN.length));
    expect(res.status).toBe(401);
  });

  it('lists platforms, and a disabled platform can launch no more until enabled', async () => {
    const list = (await (await admin('/platforms')).json()) as AdminPlatformView[];
    const dev = list.find((p) => p.issuer === t.platformUrl)!;
    expect(dev).toMatchObject({
      clientId: 'lectern-dev-client',
      active: true,
      source: 'manual',
      deployments: ['dev-deployment-1'],
    });

    expect((await admin(`/platforms/${dev.id}/disable`, { method: 'POST' })).status).toBe(200);
    const res = await fetch(await client.loginUrl('phys-101', 'dev-ada'), { redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('PLATFORM_DISABLED');

    expect((await admin(`/platforms/${dev.id}/enable`, { method: 'POST' })).status).toBe(200);
    expect(await client.launch('phys-101', 'dev-ada')).toBeTruthy();
  });

  it("shows each platform's last launch and its grade passback health (pending, failed with the reason)", async () => {
    await client.launch('phys-101', 'dev-ada');
    const [{ course_id, user_id, activity_id }] = await t.db.query(
      `SELECT c.id AS course_id, e.user_id, a.id AS activity_id FROM course c
         JOIN enrolment e ON e.course_id = c.id JOIN classroom_activity a ON a.course_id = c.id
        WHERE c.context_id = 'phys-101' LIMIT 1`,
    );
    const [{ id: lineItem }] = await t.db.query(
      `INSERT INTO grade_line_item (course_id, activity_id, tag, label, score_maximum)
       VALUES ($1, $2, 'health-test', 'Health test', 10) RETURNING id`,
      [course_id, activity_id],
    );
    const outbox = (status: string, error: string | null, minutesAgo: number) =>
      t.db.query(
        `INSERT INTO grade_outbox (course_id, line_item_id, user_id, score_given, score_maximum, activity_progress,
           grading_progress, graded_at, status, attempts, last_error, last_attempt_at)
         VALUES ($1, $2, $3, 5, 10, 'Completed', 'FullyGraded', now(), $4, 3, $5, now() - make_interval(mins => $6))`,
        [course_id, lineItem, user_id, status, error, minutesAgo],
      );
    await outbox('failed', 'the LMS answered 400: line item deleted', 5);
    await outbox('pending', 'the LMS answered 503', 1);
    await outbox('pending', null, 0);
    await outbox('sent', null, 0);
    const list = (await (await admin('/platforms')).json()) as AdminPlatformView[];
    const dev = list.find((p) => p.issuer === t.platformUrl && p.clientId === 'lectern-dev-client')!;
    expect(Date.now() - Date.parse(dev.lastLaunchAt!)).toBeLessThan(60_000);
    expect(dev.grades).toMatchObject({ pending: 2, failed: 1, lastFailure: { reason: 'the LMS answered 503' } });
    const never = list.find((p) => p.issuer !== t.platformUrl);
    if (never) expect(never).toMatchObject({ grades: { pending: 0, failed: 0, lastFailure: null } });
    await t.db.query(`DELETE FROM grade_line_item WHERE id = $1`, [lineItem]);
  });

  it('makes a registration invite: a URL under /lti/register with its expiry, a week out', async () => {
    const res = await admin('/registration-invites', { method: 'POST', body: '{}' });
    expect(res.status).toBe(201);
    const invite = (await res.json()) as { url: string; expiresAt: string };
    expect(invite.url).toMatch(new RegExp(`^${t.url}/lti/register\\?invite=[A-Za-z0-9_-]{20,}$`));
    expect(Date.parse(invite.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86400_000);
  });

  it('registers a platform by hand, validating what it is given', async () => {
    const bad = await admin('/platforms', { method: 'POST', body: JSON.stringify({ issuer: 'nope' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: string[] } }).error.details.join(' ')).toMatch(/issuer/);
    const good = await admin('/platforms', {
      method: 'POST',
      body: JSON.stringify({
        issuer: 'https://moodle.example.edu',
        clientId: 'abc',
        authUrl: 'https://moodle.example.edu/mod/lti/auth.php',
        tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
        jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
        deployments: ['1'],
      }),
    });
    expect(good.status).toBe(201);
  });

  it('rotates keys without breaking the platform: both keys published, the new one signs, the old one goes after the grace period', async () => {
    const jwks = async () =>
      ((await (await fetch(`${t.url}/lti/keys`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    const signer = t.app.get(ToolSigner);
    const oldKid = await signer.currentKid(t.platformUrl, 'lectern-dev-client');
    expect(await jwks()).toContain(oldKid);

    const res = await admin('/keys/rotate', { method: 'POST', body: JSON.stringify({}) });
    expect(res.status).toBe(200);
    const newKid = await signer.currentKid(t.platformUrl, 'lectern-dev-client');
    expect(newKid).not.toBe(oldKid);
    expect(await jwks()).toEqual(expect.arrayContaining([oldKid, newKid]));

    // The LMS accepts the tool's client assertion signed with the new key (it finds the kid in the JWKS).
    const services = t.app.get(PlatformServiceClient);
    const scope = ['https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly'];
    expect(
      await services.accessToken({ issuer: t.platformUrl, clientId: 'lectern-dev-client' }, scope, true),
    ).toBeTruthy();
    const assertion = await signer.sign(t.platformUrl, 'lectern-dev-client', { iss: 'x' });
    expect(decodeProtectedHeader(assertion).kid).toBe(newKid);

    expect(await t.app.get(KeyRotationService).purgeRetired()).toBeGreaterThanOrEqual(1);
    const after = await jwks();
    expect(after).not.toContain(oldKid);
    expect(after).toContain(newKid);
    expect(
      await services.accessToken({ issuer: t.platformUrl, clientId: 'lectern-dev-client' }, scope, true),
    ).toBeTruthy();
  });
});

describe('admin console off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('answers 404 without ADMIN_TOKEN configured', async () => {
    const res = await fetch(`${t.url}/api/admin/platforms`, { headers: { authorization: 'Bearer anything' } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ADMIN_DISABLED');
  });
});
