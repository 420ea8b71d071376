import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { LaunchClient } from '../../testing/lti-client';
import { startTestApp, TestApp } from '../../testing/test-app';

// The app trusts a loopback proxy ('trust proxy' loopback by default), so X-Forwarded-For from this test
// stands for the load balancer naming the client: each address below is another client.
describe('HTTP rate limits (real app, real Redis)', () => {
  let t: TestApp;
  const LIMIT = 5;

  beforeAll(async () => {
    t = await startTestApp({
      ADMIN_TOKEN: 'a'.repeat(32),
      RATE_LIMIT_RULES: `http.session=${LIMIT}/600000,http.lti-login=${LIMIT}/600000,http.admin=${LIMIT}/600000,http.lti-register=${LIMIT}/600000,socket.connect=${LIMIT}/600000`,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const exchange = (ip: string) =>
    fetch(`${t.url}/api/session/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ code: 'x'.repeat(32) }),
    });
  const login = (ip: string) =>
    fetch(
      `${t.url}/lti/login?iss=${encodeURIComponent(t.platformUrl)}&login_hint=x&target_link_uri=${encodeURIComponent(t.url)}`,
      { headers: { 'x-forwarded-for': ip }, redirect: 'manual' },
    );

  it('answers a flood of /api/session/exchange from one address 429 with Retry-After, and no other address', async () => {
    const statuses = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await exchange('198.51.100.1')).status);
    expect(statuses.every((s) => s !== 429)).toBe(true);
    const refused = await exchange('198.51.100.1');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(100);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('RATE_LIMITED');
    expect(body.error.message).toMatch(/try again in \d+ s/);
    // The limit counts requests, not outcomes: a flood of 50 more stays refused.
    const flood = await Promise.all(Array.from({ length: 50 }, () => exchange('198.51.100.1')));
    expect(flood.every((r) => r.status === 429)).toBe(true);
    // Another client, and the tool's own loopback, are not limited by it.
    expect((await exchange('198.51.100.2')).status).toBe(401); // an unknown code, answered as usual
    expect(
      (
        await fetch(`${t.url}/api/session/exchange`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"code":"short"}',
        })
      ).status,
    ).toBe(400);
  });

  it('limits the ltijs login initiation, however the path is spelt, per client', async () => {
    const first = await login('203.0.113.9');
    expect(first.status).not.toBe(429);
    for (let i = 1; i < LIMIT; i++) expect((await login('203.0.113.9')).status).not.toBe(429);
    const refused = await fetch(`${t.url}/LTI/login/?iss=x`, {
      headers: { 'x-forwarded-for': '203.0.113.9' },
      redirect: 'manual',
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // An IPv6 client's neighbours in its /64 share its bucket; another /64 does not.
    for (let i = 0; i < LIMIT; i++) await login(`2001:db8:0:1::${i + 1}`);
    expect((await login('2001:db8:0:1::ffff')).status).toBe(429);
    expect((await login('2001:db8:0:2::1')).status).toBe(first.status);
  });

  it('limits the admin API per client, before the token is even looked at', async () => {
    const admin = (ip: string, token = 'wrong-token-wrong-token-wrong') =>
      fetch(`${t.url}/api/admin/platforms`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip } });
    for (let i = 0; i < LIMIT; i++) expect((await admin('192.0.2.50')).status).toBe(401);
    expect((await admin('192.0.2.50', 'a'.repeat(32))).status).toBe(429);
    expect((await admin('192.0.2.51', 'a'.repeat(32))).status).toBe(200);
    // Paths outside the rules are never limited.
    for (let i = 0; i < LIMIT + 2; i++)
      expect((await fetch(`${t.url}/api/health`, { headers: { 'x-forwarded-for': '192.0.2.50' } })).status).not.toBe(
        429,
      );
  });
  it('limits socket connections per client address: a connect loop from one address is refused RATE_LIMITED, another address connects', async () => {
    const token = await new LaunchClient(t).launch('phys-101', 'dev-grace');
    const connect = (ip: string) =>
      new Promise<string>((resolve) => {
        const s = io(t.url, {
          path: '/socket.io',
          transports: ['websocket'],
          auth: { token },
          reconnection: false,
          forceNew: true,
          extraHeaders: { 'x-forwarded-for': ip },
        });
        s.once('connect', () => {
          s.disconnect();
          resolve('connected');
        });
        s.once('connect_error', (e) => {
          s.disconnect();
          resolve(e.message);
        });
      });
    const results = [];
    for (let i = 0; i < LIMIT; i++) results.push(await connect('203.0.113.7'));
    expect(results).toEqual(Array(LIMIT).fill('connected'));
    expect(await connect('203.0.113.7')).toBe('RATE_LIMITED');
    expect(await connect('203.0.113.8')).toBe('connected');
  });
});
