import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A real coturn (Debian's `turnserver`) on loopback for tests, with the REST-API shared secret the
 * app's TURN_SECRET must match. Loopback peers are allowed here only (the repo's production config,
 * deploy/coturn/turnserver.conf, denies private and loopback peers).
 */
export async function startCoturn(
  port: number,
): Promise<{ url: string; secret: string; stop: () => Promise<void>; log: () => string }> {
  const bin = ['/usr/bin/turnserver', '/usr/local/bin/turnserver'].find((p) => fs.existsSync(p));
  if (!bin)
    throw new Error(
      'coturn (turnserver) is not installed: apt-get install coturn (`npm test` installs it when run as root)',
    );
  const secret = crypto.randomBytes(16).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-coturn-'));
  let out = '';
  const p: ChildProcess = spawn(
    bin,
    [
      '-n',
      '--listening-ip',
      '127.0.0.1',
      '--relay-ip',
      '127.0.0.1',
      '--listening-port',
      String(port),
      '--min-port',
      '50000',
      '--max-port',
      '50999',
      '--use-auth-secret',
      '--static-auth-secret',
      secret,
      '--realm',
      'lectern.test',
      '--allow-loopback-peers',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--fingerprint',
      '--pidfile',
      path.join(dir, 'turn.pid'),
      '--userdb',
      path.join(dir, 'turndb'),
      '--log-file',
      'stdout',
      '--simple-log',
      '-v',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 10_000;
  while (!/listener opened on|Total General servers/i.test(out)) {
    if (p.exitCode !== null) throw new Error(`turnserver exited (${p.exitCode}):\n${out.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`turnserver did not start:\n${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    secret,
    log: () => out,
    stop: async () => {
      if (p.exitCode === null) {
        p.kill('SIGTERM');
        await new Promise((r) => p.once('exit', r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
