import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module shared with the start script
import { freePort, startPostgres } from '../../../scripts/services.mjs';

// A newcomer's first run as root with the checkout in a folder only root may enter (root's home,
// `mktemp -d`): PostgreSQL runs as the postgres OS user, which must reach its binaries and its data.
const asRoot = process.getuid?.() === 0;
if (!asRoot) console.warn('[services.spec] SKIPPED: not root (the postgres-user placement only applies as root)');

describe.skipIf(!asRoot)('startPostgres as root, with the checkout where the postgres user cannot go', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-svc-')); // mode 700, like `mktemp -d`
  const saved = { cache: process.env.LECTERN_CACHE_DIR, state: process.env.LECTERN_STATE_DIR };
  const open = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-svc-open-'));
  fs.chmodSync(open, 0o755);
  process.env.LECTERN_CACHE_DIR = path.join(open, 'cache', 'lectern');
  process.env.LECTERN_STATE_DIR = path.join(open, 'state', 'lectern');

  afterAll(() => {
    for (const [k, v] of [
      ['LECTERN_CACHE_DIR', saved.cache],
      ['LECTERN_STATE_DIR', saved.state],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(open, { recursive: true, force: true });
  });

  const query = async (url: string, sql: string) => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  it("npm start's persistent data: moved where postgres can reach it, .data/postgres links there, kept across restarts", async () => {
    const asked = path.join(scratch, 'lectern', '.data', 'postgres');
    fs.mkdirSync(path.dirname(asked), { recursive: true });
    const port = await freePort();
    const pg = await startPostgres({ dir: asked, port, persistent: true });
    try {
      expect(pg.dataDir.startsWith(process.env.LECTERN_STATE_DIR!)).toBe(true);
      expect(fs.lstatSync(asked).isSymbolicLink()).toBe(true);
      expect(fs.realpathSync(asked)).toBe(pg.dataDir);
      const owner = fs.statSync(pg.dataDir);
      expect(owner.uid).not.toBe(0); // the postgres OS user's
      expect(owner.mode & 0o777).toBe(0o700);
      await pg.ensureDatabase('lectern');
      await query(pg.url('lectern'), 'CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$)');
    } finally {
      await pg.stop();
    }
    // The binaries were copied outside the checkout, every folder on the way open to all.
    const copies = fs.readdirSync(process.env.LECTERN_CACHE_DIR!);
    expect(copies).toEqual([expect.stringMatching(/^postgres-\d[\w.-]*-linux-x64$/)]);
    for (let d = path.join(process.env.LECTERN_CACHE_DIR!, copies[0], 'bin'); d !== open; d = path.dirname(d)) {
      expect(fs.statSync(d).mode & 0o777, d).toBe(0o755);
    }

    const again = await startPostgres({ dir: asked, port, persistent: true });
    try {
      expect(again.dataDir).toBe(pg.dataDir);
      expect(await query(again.url('lectern'), 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
    } finally {
      await again.stop();
    }
  });

  it('throwaway data (tests, benches) in a temporary folder owned by postgres, removed on stop', async () => {
    const pg = await startPostgres({
      dir: path.join(scratch, 'test-run', 'pg'),
      port: await freePort(),
      persistent: false,
    });
    const data = pg.dataDir;
    try {
      expect(fs.statSync(data).uid).not.toBe(0);
      expect(await query(pg.url('postgres'), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await pg.stop();
    }
    expect(fs.existsSync(data)).toBe(false);
    expect(fs.existsSync(path.dirname(data))).toBe(false);
  });

  it('what cannot be fixed is said in one line with the fix', async () => {
    process.env.LECTERN_CACHE_DIR = path.join(scratch, 'cache'); // inside the 700 folder: postgres cannot enter it
    try {
      const err = await startPostgres({
        dir: path.join(scratch, 'x', 'pg'),
        port: await freePort(),
        persistent: false,
      }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err.message).not.toContain('\n');
      expect(err.message).toBe(
        `the postgres OS user cannot enter ${scratch} (mode 700), where its binaries are copied: chmod o+x ${scratch}, or set LECTERN_CACHE_DIR to a folder it can reach`,
      );
    } finally {
      process.env.LECTERN_CACHE_DIR = path.join(open, 'cache', 'lectern');
    }
  });
});
