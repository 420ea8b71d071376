import crypto from 'node:crypto';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/test-app';
import { parseRegisterArgs, runLtiRegister } from './lti-register';

const args = (extra: string[] = []) => [
  '--issuer',
  'https://canvas.instructure.com',
  '--client-id',
  '10000000000042',
  '--auth-url',
  'https://sso.canvaslms.com/api/lti/authorize_redirect',
  '--token-url',
  'https://sso.canvaslms.com/login/oauth2/token',
  '--jwks-url',
  'https://sso.canvaslms.com/api/lti/security/jwks',
  '--deployment',
  '7:abc',
  ...extra,
];

describe('npm run lti:register', () => {
  it('names every missing or bad flag and exits 2', () => {
    const r = parseRegisterArgs(['--issuer', 'not a url', '--client-id', 'x', '--deployment', 'd']);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.result.code).toBe(2);
    expect(r.result.output).toMatch(/--issuer: must be an http\(s\) URL/);
    expect(r.result.output).toMatch(/--auth-url: is required/);
    expect(r.result.output).toMatch(/--jwks-url: is required/);
    expect(r.result.output.split('\n\n')[0]).not.toMatch(/--client-id/);
  });

  it('refuses unknown flags', () => {
    const r = parseRegisterArgs([...args(), '--colour', 'blue']);
    expect(r.ok).toBe(false);
  });

  it('registers a platform against the database, and updates it on a second run', async () => {
    const databaseUrl = await createTestDatabase();
    const env = {
      databaseUrl,
      ltiKey: crypto.randomBytes(24).toString('hex'),
      publicUrl: 'https://lectern.example.edu',
    };
    const first = await runLtiRegister(args(), env);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('OIDC login initiation URL: https://lectern.example.edu/lti/login');
    const second = await runLtiRegister(args(['--deployment', '9:def', '--name', 'Example Canvas']), env);
    expect(second.code, second.output).toBe(0);

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT p.name, array_agg(d.deployment_id ORDER BY d.deployment_id) AS deployments, p.ltijs_kid
           FROM lti_platform p JOIN lti_deployment d ON d.platform_id = p.id GROUP BY p.id`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].name).toBe('Example Canvas');
      expect(rows[0].deployments).toEqual(['7:abc', '9:def']);
      // ltijs's own records, in our Postgres: the platform, and the tool's key pair for it (private key encrypted).
      const ltijs = await db.query(`SELECT doc FROM ltijs_platform`);
      expect(ltijs.rows[0].doc).toMatchObject({
        platformUrl: 'https://canvas.instructure.com',
        clientId: '10000000000042',
        authEndpoint: 'https://sso.canvaslms.com/api/lti/authorize_redirect',
        kid: rows[0].ltijs_kid,
        authConfig: { method: 'JWK_SET', key: 'https://sso.canvaslms.com/api/lti/security/jwks' },
      });
      const priv = await db.query(`SELECT doc FROM ltijs_privatekey`);
      expect(priv.rows).toHaveLength(1);
      expect(Object.keys(priv.rows[0].doc).sort()).toEqual(['clientId', 'data', 'iv', 'kid', 'platformUrl']);
      expect(JSON.stringify(priv.rows[0].doc)).not.toContain('PRIVATE KEY');
    } finally {
      await db.end();
    }
  });
});
