import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../testing/test-app';
import { LTI_MAINTENANCE_QUEUE, LtiMaintenanceProcessor } from './lti-maintenance.processor';

describe('LTI maintenance job (Bull on real Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('is scheduled as one repeatable job', async () => {
    const queue = t.app.get<Queue>(getQueueToken(LTI_MAINTENANCE_QUEUE));
    const repeatable = await queue.getRepeatableJobs();
    expect(repeatable.filter((j) => j.name === 'purge')).toHaveLength(1);
    expect(repeatable.find((j) => j.name === 'purge')!.every).toBe(600_000);
  });

  it('purges expired ltijs documents and old login requests, and keeps the rest', async () => {
    await t.db.query(
      `INSERT INTO ltijs_nonce (doc, expires_at) VALUES ('{"nonce":"old"}', now() - interval '1 minute'), ('{"nonce":"fresh"}', now() + interval '1 minute')`,
    );
    await t.db.query(
      `INSERT INTO lti_login_request (state, nonce, issuer, client_id, login_hint, target_link_uri, platform_origin, created_at)
       VALUES ('old-state', 'n', 'i', 'c', 'h', 't', 'o', now() - interval '2 days'), ('new-state', 'n', 'i', 'c', 'h', 't', 'o', now()),
              ('stale-unused', 'n', 'i', 'c', 'h', 't', 'o', now() - interval '11 minutes')`,
    );
    await t.db.query(
      `INSERT INTO lti_login_request (state, nonce, issuer, client_id, login_hint, target_link_uri, platform_origin, created_at, consumed_at)
       VALUES ('used-recently', 'n', 'i', 'c', 'h', 't', 'o', now() - interval '1 hour', now() - interval '1 hour')`,
    );
    const result = await t.app.get(LtiMaintenanceProcessor).purge();
    expect(result).toEqual({ ltijs: 1, logins: 2, retiredKeys: 0 });
    expect((await t.db.query(`SELECT doc->>'nonce' AS n FROM ltijs_nonce`)).map((r: { n: string }) => r.n)).toEqual([
      'fresh',
    ]);
    expect(
      (await t.db.query(`SELECT state FROM lti_login_request ORDER BY state`)).map((r: { state: string }) => r.state),
    ).toEqual(['new-state', 'used-recently']);
  });
});
