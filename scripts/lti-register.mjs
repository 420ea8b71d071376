// `npm run lti:register -- ...`: the tool's side of a manual LTI 1.3 registration. Works whether the
// tool is running or not: uses DATABASE_URL, else the dev PostgreSQL of `npm start` (running, or
// started here for the moment from .data/).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { devSecrets, isListening, startPostgres } from './services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/backend/src/cli/lti-register.js');
const args = process.argv.slice(2);
const { parseRegisterArgs } = createRequire(import.meta.url)(cli);

const parsed = parseRegisterArgs(args);
if (!parsed.ok) {
  (parsed.result.code === 0 ? console.log : console.error)(parsed.result.output);
  process.exit(parsed.result.code);
}

const dataDir = path.resolve(process.env.LECTERN_DATA_DIR ?? path.join(root, '.data'));
const env = { ...process.env };
let pg = null;
if (!env.DATABASE_URL) {
  const port = Number(env.LECTERN_PG_PORT ?? 54329);
  if (!(await isListening(port))) {
    pg = await startPostgres({ dir: path.join(dataDir, 'postgres'), port, persistent: true });
    await pg.ensureDatabase('lectern');
  }
  env.DATABASE_URL = `postgres://postgres:lectern@127.0.0.1:${port}/lectern`;
}
if (!env.LTI_KEY) env.LTI_KEY = devSecrets(dataDir).LTI_KEY;
const run = spawnSync(process.execPath, [cli, ...args], { env, stdio: 'inherit' });
if (pg) await pg.stop();
process.exit(run.status ?? 1);
