import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A real S3-compatible server (s3rver, an npm dev dependency) in its own process on 127.0.0.1 and a free
 * port, data in a temporary folder; credentials S3RVER / S3RVER. Stopped (and its data removed) by `stop`.
 */
export async function startS3rver(): Promise<{ process: ChildProcess; endpoint: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lectern-s3rver-'));
  const bin = path.resolve('node_modules/s3rver/bin/s3rver.js');
  const child = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${out}`)), 15_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /listening on (?:http:\/\/)?[^\s:]*:(\d+)/i.exec(out) ?? /:(\d{2,5})\b/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${out}`)));
  });
  return {
    process: child,
    endpoint,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
