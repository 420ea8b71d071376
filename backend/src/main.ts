import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/config';
import { runMigrations } from './platform/database';

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
  const ran = await runMigrations(config.databaseUrl);
  if (ran.length) console.log(`[lectern] applied migrations: ${ran.join(', ')}`);
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const url = config.devPlatform.enabled ? `${config.devPlatform.url}/` : config.publicUrl;
  console.log(`[lectern] ready: ${url}`);
}

main().catch((e) => {
  console.error('[lectern] failed to start:', e);
  process.exit(1);
});
