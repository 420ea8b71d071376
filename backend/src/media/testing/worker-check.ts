import fs from 'node:fs';
import path from 'node:path';

/**
 * Media tests run against a real mediasoup worker. A developer may opt out explicitly
 * (LECTERN_SKIP_MEDIA_TESTS=1), and is then told loudly; a missing worker is never a silent pass.
 */
export function mediaTestsOptedOut(): boolean {
  if (process.env.LECTERN_SKIP_MEDIA_TESTS !== '1') return false;
  console.warn(
    '\n!!! LECTERN_SKIP_MEDIA_TESTS=1: the media tests (real mediasoup worker) are SKIPPED on request. CI never sets this. !!!\n',
  );
  return true;
}

/** Throws, saying how to get one, when no mediasoup worker binary can be found. */
export function requireWorker(): string {
  const fromEnv = process.env.MEDIASOUP_WORKER_BIN;
  const prebuilt = path.resolve('node_modules/mediasoup/worker/out/Release/mediasoup-worker');
  const bin = fromEnv || prebuilt;
  if (!fs.existsSync(bin)) {
    throw new Error(
      `No mediasoup worker: ${fromEnv ? `MEDIASOUP_WORKER_BIN=${fromEnv} does not exist` : `MEDIASOUP_WORKER_BIN is unset and ${prebuilt} is missing`}. ` +
        "Run the tests with `npm test` (scripts/ensure-worker.sh builds one from the mediasoup package's sources with ../shared/mediasoup-worker/build.sh), " +
        'or set MEDIASOUP_WORKER_BIN to a mediasoup 3.27.1 worker binary.',
    );
  }
  return bin;
}
