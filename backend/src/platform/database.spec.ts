import crypto from 'node:crypto';
import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '../../../migrations';
import { runMigrations } from './database';

/** A new, empty database on the run's PostgreSQL (no migrations applied). */
async function emptyDatabase(): Promise<string> {
  const { postgresUrl } = inject('services');
  const name = `lectern_mig_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return postgresUrl.replace(/\/postgres$/, `/${name}`);
}

describe('runMigrations', () => {
  it('three instances starting at once on an empty database: all succeed, each migration applied once', async () => {
    const url = await emptyDatabase();
    const results = await Promise.allSettled([runMigrations(url), runMigrations(url), runMigrations(url)]);
    const failures = results
      .filter((r) => r.status === 'rejected')
      .map((r) => String((r as PromiseRejectedResult).reason));
    expect(failures).toEqual([]);
    const ran = results.map((r) => (r as PromiseFulfilledResult<string[]>).value);
    // One of them applied every migration; the others waited for the lock and found nothing pending.
    const names = MIGRATIONS.map((m) => m.name);
    expect(ran.filter((r) => r.length > 0)).toEqual([names]);
    expect(ran.filter((r) => r.length === 0)).toHaveLength(2);

    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query<{ name: string; n: string }>(
        'SELECT name, count(*) AS n FROM schema_migrations GROUP BY name ORDER BY name',
      );
      expect(rows.map((r) => r.name).sort()).toEqual([...names].sort());
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
      // No lock left behind once they are done.
      const locks = await db.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(locks.rowCount).toBe(0);
    } finally {
      await db.end();
    }
  });

  it('a second run on a migrated database applies nothing', async () => {
    const url = await emptyDatabase();
    expect(await runMigrations(url)).toHaveLength(MIGRATIONS.length);
    expect(await runMigrations(url)).toEqual([]);
  });
});
