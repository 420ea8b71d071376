import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

/**
 * The schema is the migrations' (migrations/); services query it with SQL through the DataSource, so no
 * entity classes are kept that could drift from it.
 */

export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: ['error'],
    extra: { max: POOL_SIZE },
  };
}

/** Connections per instance (node-postgres pool). */
export const POOL_SIZE = 10;

/**
 * The key of the session-level advisory lock held while migrations run (any fixed number: it only has to
 * be the same for every instance and for `npm run migrate`; this one is "lectern1" read as ASCII).
 */
export const MIGRATION_LOCK_KEY = 0x6c65637465726e31n;

/**
 * Applies pending migrations; returns the names of those it ran. Holds a PostgreSQL advisory lock
 * meanwhile, so instances (and the migrate job) starting together run them one at a time: the first
 * applies them, the others wait, then find nothing pending.
 */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(databaseUrl));
  await ds.initialize();
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      const ran = await ds.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      // Ending the session (destroy below) releases the lock too, should this fail.
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    }
  } finally {
    await lock.release();
    await ds.destroy();
  }
}

/** Whether migrations are pending (an instance that does not migrate at start refuses to run behind its schema). */
export async function pendingMigrations(databaseUrl: string): Promise<boolean> {
  const ds = new DataSource(dataSourceOptions(databaseUrl));
  await ds.initialize();
  try {
    return await ds.showMigrations();
  } finally {
    await ds.destroy();
  }
}
