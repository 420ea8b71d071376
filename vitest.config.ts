import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// One runner for everything: unit specs (pure TS), integration specs (real PostgreSQL and Redis
// started by the global setup) and browser specs (e2e/, Debian Chromium through playwright-core).
export default defineConfig({
  plugins: [
    // Nest needs decorator metadata, which esbuild does not emit; SWC does (as Nest's docs show).
    swc.vite({
      module: { type: 'es6' },
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
    }),
  ],
  // The Angular app's aliases (tsconfig.json "paths"), so its pure parts are unit-tested here too.
  resolve: {
    alias: {
      '@contracts': fileURLToPath(new URL('./backend/src/contracts', import.meta.url)),
      '@whiteboard-domain': fileURLToPath(new URL('./backend/src/whiteboard/domain', import.meta.url)),
      '@media-domain': fileURLToPath(new URL('./backend/src/media/domain', import.meta.url)),
      '@recording-domain': fileURLToPath(new URL('./backend/src/recording/domain', import.meta.url)),
    },
  },
  test: {
    include: ['backend/src/**/*.spec.ts', 'bench/**/*.spec.ts', 'frontend/src/**/*.spec.ts', 'e2e/**/*.e2e.spec.ts'],
    globalSetup: ['backend/src/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One spec file at a time. Most integration and browser specs start several processes of their own
    // (instances, mediasoup workers, FFmpeg, Chromium) that fill this 2-core machine by themselves: two
    // such files side by side starved each other into timing failures (a heartbeat missed, a bench past
    // its limit) that neither showed alone, on CI runs that took longer than the files in a row do.
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: '.cache/test-results.json' }]],
  },
});
