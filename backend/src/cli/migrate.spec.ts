import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '../../../migrations';

// `npm run migrate` runs the built file (npm test builds the backend first).
const CLI = path.resolve('dist/backend/src/cli/migrate.js');

function runCli(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const child = spawn(process.execPath, [CLI], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function emptyDatabase(): Promise<string> {
  const { postgresUrl } = inject('services');
  const name = `lectern_cli_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return postgresUrl.replace(/\/postgres$/, `/${name}`);
}

describe('npm run migrate', () => {
  it('is built (npm run build:backend)', () => {
    expect(fs.existsSync(CLI), `${CLI} is missing: run npm run build:backend`).toBe(true);
  });

  it('migrates a fresh database, exits 0; a second run applies nothing and exits 0', async () => {
    const url = await emptyDatabase();
    const first = await runCli({ DATABASE_URL: url });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('applied migrations: CreateFoundation1764000000000');

    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const tables = await db.query<{ t: string }>(
        `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'`,
      );
      const names = tables.rows.map((r) => r.t);
      expect(names).toEqual(
        expect.arrayContaining(['schema_migrations', 'course', 'lti_platform', 'whiteboard_snapshot']),
      );
      const count = async () => Number((await db.query('SELECT count(*) AS n FROM schema_migrations')).rows[0].n);
      expect(await count()).toBe(MIGRATIONS.length);

      const second = await runCli({ DATABASE_URL: url });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain('nothing to apply');
      expect(await count()).toBe(MIGRATIONS.length);
    } finally {
      await db.end();
    }
  });

  it('without DATABASE_URL: exit 2 and one line saying so', async () => {
    const r = await runCli({});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DATABASE_URL is required but not set');
  });

  it('with a database that cannot be reached: exit 1 and why', async () => {
    const r = await runCli({ DATABASE_URL: 'postgres://postgres:x@127.0.0.1:1/none' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/migration failed: .*ECONNREFUSED/);
  });
});
