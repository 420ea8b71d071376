import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const main = path.resolve('dist/backend/src/main.js');

describe('starting the server with bad configuration', () => {
  it('stops with a message naming each missing or bad variable', () => {
    expect(fs.existsSync(main), `${main} is missing: npm test builds it (npm run build:backend)`).toBe(true);
    const run = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: 'eighty', REDIS_URL: 'http://not-redis', LTI_KEY: 'short' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Invalid configuration');
    expect(run.stderr).toMatch(/PORT /);
    expect(run.stderr).toContain('DATABASE_URL is required but not set');
    expect(run.stderr).toContain('REDIS_URL must be a URL starting with redis:// or rediss://');
    expect(run.stderr).toContain('LTI_KEY must be at least 32 characters long');
    expect(run.stderr).toContain('SESSION_SECRET is required but not set');
  });

  it('refuses production without an https PUBLIC_URL, before touching the database', () => {
    const run = spawnSync(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PUBLIC_URL: 'http://lectern.example.edu',
        DATABASE_URL: 'postgres://u:p@127.0.0.1:1/none',
        REDIS_URL: 'redis://127.0.0.1:1',
        LTI_KEY: 'k'.repeat(32),
        SESSION_SECRET: 's'.repeat(32),
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Invalid configuration');
    expect(run.stderr).toContain('PUBLIC_URL must be an https URL when NODE_ENV is production');
  });
});
