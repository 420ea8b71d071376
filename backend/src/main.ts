import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/config';
import { pendingMigrations, runMigrations } from './platform/database';
import { Readiness } from './platform/readiness';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`[lectern] ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  let applied: string[] = [];
  if (config.ops.migrateOnStart) {
    // Several instances starting together: one migrates under the advisory lock, the others wait for it.
    applied = await runMigrations(config.databaseUrl);
  } else if (await pendingMigrations(config.databaseUrl)) {
    console.error(
      '[lectern] the database has migrations pending and MIGRATE_ON_START is false: run the migration job (node dist/backend/src/cli/migrate.js, or npm run migrate) first',
    );
    process.exit(1);
  }
  const app = await createApp(config, { json: true });
  // From here on every line is JSON at LOG_LEVEL (nestjs-pino); what failed before it is plain text on stderr.
  const boot = new Logger('Lectern');
  if (applied.length) boot.log(`applied migrations: ${applied.join(', ')}`);
  await app.listen(config.port, config.host);
  if (config.ops.shutdownDrainMs > 0) {
    // SIGTERM (an orchestrator stopping the instance): leave the load balancer first, finish, then close.
    process.once('SIGTERM', () => {
      app.get(Readiness).drain('SIGTERM');
      setTimeout(() => {
        // A close that hangs (Redis unreachable) must not keep a drained instance up forever.
        setTimeout(() => process.exit(1), 15_000).unref();
        void app.close().finally(() => process.exit(0));
      }, config.ops.shutdownDrainMs);
    });
  }
  // Started by a parent over an IPC channel (the test cluster, a supervisor): end with it, never orphaned.
  if (process.send) process.once('disconnect', () => process.exit(0));
  if (config.devPlatform.enabled) {
    console.log(
      `[lectern] tool at ${config.publicUrl} (LTI login ${config.publicUrl}/lti/login, JWKS ${config.publicUrl}/lti/keys)`,
    );
    if (config.adminToken)
      console.log(
        `[lectern] admin console at ${config.publicUrl}/admin (token: ADMIN_TOKEN, kept in .data/secrets.json)`,
      );
    console.log(`[lectern] ready: open ${config.devPlatform.url}/ to launch as an instructor or a student`);
  } else {
    boot.log(`ready: ${config.publicUrl}`);
  }
}

// A command still in flight when Redis connections close during shutdown must not crash the process.
process.on('unhandledRejection', (e) =>
  new Logger('Process').warn(`unhandled rejection: ${e instanceof Error ? e.message : String(e)}`),
);

main().catch((e) => {
  console.error('[lectern] failed to start:', e);
  process.exit(1);
});
