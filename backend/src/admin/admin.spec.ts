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
