import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../testing/test-app';

const ADMIN_TOKEN = 'health-operator-token-0123456789';

describe('/api/health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN });
  });
  afterAll(() => t?.close());

  it('tells anyone up, and only the operator how fast', async () => {
    const anonymous = await fetch(`${t.url}/api/health`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: 'ok', database: { status: 'up' }, redis: { status: 'up' } });
    const operator = await fetch(`${t.url}/api/health`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(await operator.json()).toMatchObject({
      status: 'ok',
      database: { status: 'up', latencyMs: expect.any(Number) },
    });
    const wrong = await fetch(`${t.url}/api/health`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN.replace(/.$/, 'x')}` },
    });
    expect(Object.keys(((await wrong.json()) as { database: object }).database)).toEqual(['status']);
  });

  it('tells anyone down, never the driver error text; the operator gets the error', async () => {
    await t.db.destroy(); // the database is gone as far as this instance knows
    const anonymous = await fetch(`${t.url}/api/health`);
    expect(anonymous.status).toBe(503);
    const body = await anonymous.text();
    expect(JSON.parse(body)).toEqual({ status: 'degraded', database: { status: 'down' }, redis: { status: 'up' } });
    expect(body).not.toMatch(/error|initiali[sz]ed|postgres|connect/i);
    const operator = (await (
      await fetch(`${t.url}/api/health`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).json()) as {
      database: { status: string; error?: string };
    };
    expect(operator.database.status).toBe('down');
    expect(operator.database.error).toEqual(expect.any(String));
    expect(operator.database.error!.length).toBeGreaterThan(0);
  });
});
