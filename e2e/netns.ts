import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FORWARDER = path.resolve('e2e/tcp-forward.mjs');

/**
 * A small network of Linux network namespaces for a test: one bridge in the root namespace
 * (10.77.X.1/24, X picked free) and, per host, a namespace whose veth is on that bridge with its own
 * address (10.77.X.11, .12, ...). Everything is named with this run's id, and `close()` removes it all
 * (also when the test process exits abruptly). Needs root and iproute2's `ip netns`.
 */
export class NetnsLab {
  readonly id = crypto.randomBytes(3).toString('hex');
  readonly bridge = `lxbr${this.id}`;
  readonly namespaces: string[] = [];
  private readonly procs: ChildProcess[] = [];
  private closed = false;
  readonly subnet: number;

  /** Why this machine cannot run it (null: it can). */
  static unavailable(): string | null {
    if (process.platform !== 'linux') return `not Linux (${process.platform})`;
    if (process.getuid?.() !== 0) return 'not root (network namespaces need CAP_NET_ADMIN)';
    try {
      execFileSync('ip', ['netns', 'list'], { stdio: 'pipe' });
    } catch (e) {
      return `\`ip netns\` does not work here: ${(e as Error).message.split('\n')[0]}`;
    }
    return null;
  }

  constructor() {
    const used = new Set(
      [...JSON.stringify(os.networkInterfaces()).matchAll(/"10\.77\.(\d+)\./g)].map((m) => Number(m[1])),
    );
    const free = Array.from({ length: 250 }, (_, i) => i + 2).filter((n) => !used.has(n));
    this.subnet = free[crypto.randomInt(free.length)]!;
    process.once('exit', this.closeSync);
    this.ip('link', 'add', this.bridge, 'type', 'bridge');
    this.ip('addr', 'add', `${this.gateway}/24`, 'dev', this.bridge);
    this.ip('link', 'set', this.bridge, 'up');
  }

  /** The root namespace's address on the bridge (what the namespaces reach the test's services on). */
  get gateway(): string {
    return `10.77.${this.subnet}.1`;
  }

  ip(...args: string[]): string {
    return execFileSync('ip', args, { stdio: 'pipe' }).toString();
  }

  /** A namespace with its veth on the bridge; returns its name and address. */
  addHost(): { ns: string; address: string } {
    const n = this.namespaces.length + 1;
    const ns = `lx-${this.id}-${n}`;
    const outside = `lx${this.id}${n}`;
    const address = `10.77.${this.subnet}.${10 + n}`;
    this.ip('netns', 'add', ns);
    this.namespaces.push(ns);
    this.ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    this.ip('link', 'set', outside, 'master', this.bridge, 'up');
    this.ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    this.ip('-n', ns, 'link', 'set', 'eth0', 'up');
    this.ip('-n', ns, 'link', 'set', 'lo', 'up');
    return { ns, address };
  }

  /**
   * Names resolved inside a namespace (its own /etc/hosts: `ip netns exec` bind-mounts
   * /etc/netns/<ns>/hosts over /etc/hosts for what it starts), as a DNS server would answer them.
   */
  setHosts(ns: string, entries: Record<string, string>): void {
    const dir = `/etc/netns/${ns}`;
    fs.mkdirSync(dir, { recursive: true });
    const lines = Object.entries(entries).map(([name, address]) => `${address} ${name}`);
    fs.writeFileSync(`${dir}/hosts`, ['127.0.0.1 localhost', ...lines, ''].join('\n'));
  }

  /** Cuts a namespace off the network (its link goes down: packets neither leave nor arrive). */
  cutOff(ns: string): void {
    this.ip('-n', ns, 'link', 'set', 'eth0', 'down');
  }

  /**
   * A TCP forwarder on the bridge address to a service on the root namespace's loopback (Redis,
   * Postgres), in a process of its own (e2e/tcp-forward.mjs): the test process, busy driving browsers,
   * is not on the instances' path to their database.
   */
  async forward(targetPort: number): Promise<number> {
    const p = this.spawnIn(null, process.execPath, [FORWARDER, this.gateway, String(targetPort)], {
      PATH: process.env.PATH,
    });
    return new Promise<number>((resolve, reject) => {
      p.once('exit', (code) => reject(new Error(`the forwarder to port ${targetPort} exited (${code})`)));
      p.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    });
  }

  /** Runs a command inside a namespace (its process is stopped by `close()`). */
  spawnIn(ns: string | null, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const p = ns
      ? spawn('ip', ['netns', 'exec', ns, command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.procs.push(p);
    return p;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await Promise.all(
      this.procs.map((p) =>
        p.exitCode === null && p.signalCode === null
          ? new Promise<void>((resolve) => {
              const t = setTimeout(() => {
                p.kill('SIGKILL');
                resolve();
              }, 8000);
              p.once('exit', () => {
                clearTimeout(t);
                resolve();
              });
            })
          : null,
      ),
    );
    this.closeSync();
  }

  /** Namespaces and bridge removed (their veths go with them); safe to call twice. */
  private readonly closeSync = (): void => {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const ns of this.namespaces) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe' });
      } catch {
        // Already gone.
      }
      fs.rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    }
    try {
      fs.rmdirSync('/etc/netns'); // only when no one else keeps names there
    } catch {
      // Not empty, or not there.
    }
    try {
      execFileSync('ip', ['link', 'del', this.bridge], { stdio: 'pipe' });
    } catch {
      // Already gone.
    }
    process.off('exit', this.closeSync);
  };
}
