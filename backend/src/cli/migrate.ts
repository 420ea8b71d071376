import 'reflect-metadata';
import { ConfigError, loadMigrateConfig } from '../config/config';
import { runMigrations } from '../platform/database';

/**
 * `npm run migrate`: applies the pending migrations (migrations/) to DATABASE_URL and exits. This is how
 * production applies them: one job before (or while) the new instances start. Instances also migrate at
 * boot; every run takes the same PostgreSQL advisory lock, so however many start at once, one applies the
 * migrations and the others find nothing left to do.
 *
 * Exit codes: 0 applied or nothing pending, 2 bad configuration, 1 the migration failed.
 */
export async function runMigrateCli(env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  let databaseUrl: string;
  try {
    ({ databaseUrl } = loadMigrateConfig(env));
  } catch (e) {
    if (e instanceof ConfigError) {
      const hint =
        'set DATABASE_URL=postgres://user:password@host:5432/database (npm start migrates its own database by itself)';
      return { code: 2, output: `[lectern] ${e.problems.join('; ')}: ${hint}` };
    }
    throw e;
  }
  try {
    const ran = await runMigrations(databaseUrl);
    return {
      code: 0,
      output: ran.length
        ? `[lectern] applied migrations: ${ran.join(', ')}`
        : '[lectern] migrations: nothing to apply, the schema is up to date',
    };
  } catch (e) {
    return { code: 1, output: `[lectern] migration failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

if (require.main === module) {
  void runMigrateCli(process.env).then((r) => {
    (r.code === 0 ? console.log : console.error)(r.output);
    process.exit(r.code);
  });
}
