import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { MediaConfig } from '../../config/config';
import type { WorkerLoad } from '../domain/allocation';

export interface PooledWorker {
  index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  /** Consumers currently placed on this worker (kept by the rooms). */
  consumers: number;
  alive: boolean;
}

/**
 * mediasoup workers, one per core by default, each with a WebRtcServer (one UDP+TCP port per worker,
 * so a deployment opens few ports). A worker that dies is replaced at once under the same index; the
 * pool announces `died` (rooms on it must be rebuilt) and then `replaced`.
 */
export class WorkerPool extends EventEmitter<{ died: [index: number, error: Error]; replaced: [index: number] }> {
  private readonly workers: PooledWorker[] = [];
  private closed = false;

  private constructor(private readonly config: MediaConfig) {
    super();
  }

  static async create(config: MediaConfig): Promise<WorkerPool> {
    const pool = new WorkerPool(config);
    try {
      for (let i = 0; i < config.workers; i++) pool.workers.push(await pool.start(i));
    } catch (e) {
      pool.close();
      throw e;
    }
    return pool;
  }

  private async start(index: number): Promise<PooledWorker> {
    const worker = await mediasoup.createWorker({
      logLevel: this.config.logLevel,
      ...(this.config.workerBin ? { workerBin: this.config.workerBin } : {}),
      appData: { index },
    });
    let webRtcServer: types.WebRtcServer;
    try {
      const port = this.config.port ? this.config.port + index : undefined;
      const listen = { ip: this.config.listenIp, announcedAddress: this.config.announcedAddress, port };
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ...listen },
          { protocol: 'tcp', ...listen },
        ],
      });
    } catch (e) {
      worker.close();
      throw e;
    }
    const pooled: PooledWorker = { index, worker, webRtcServer, consumers: 0, alive: true };
    worker.on('died', (error) => {
      pooled.alive = false;
      if (this.closed) return;
      this.emit('died', index, error);
      void this.restart(index);
    });
    return pooled;
  }

  private async restart(index: number, attempt = 0): Promise<void> {
    if (this.closed) return;
    try {
      const next = await this.start(index);
      if (this.closed) {
        next.worker.close();
        return;
      }
      this.workers[index] = next;
      this.emit('replaced', index);
    } catch {
      // The port may still be held for a moment by the dead process; try again shortly.
      if (attempt < 20) setTimeout(() => void this.restart(index, attempt + 1), 250 * (attempt + 1)).unref();
    }
  }

  /** Resolves once at least one worker is alive (at once, usually; after a replacement when all died). */
  async anyAlive(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.workers.some((w) => w.alive)) {
      if (this.closed || Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  get(index: number): PooledWorker {
    const w = this.workers[index];
    if (!w?.alive) throw new Error(`mediasoup worker ${index} is not alive`);
    return w;
  }

  loads(): WorkerLoad[] {
    return this.workers.map((w) => ({ index: w.index, consumers: w.consumers, alive: w.alive }));
  }

  /** Each live worker's consumers and CPU time so far (user + system seconds, from the worker itself). */
  async usage(): Promise<Array<{ index: number; consumers: number; cpuSeconds: number }>> {
    const live = this.workers.filter((w) => w.alive);
    return Promise.all(
      live.map(async (w) => {
        const ru = await w.worker.getResourceUsage();
        return { index: w.index, consumers: w.consumers, cpuSeconds: (ru.ru_utime + ru.ru_stime) / 1000 };
      }),
    );
  }

  pids(): number[] {
    return this.workers.map((w) => w.worker.pid);
  }

  /** Counts of one worker's live objects, read from the worker itself (for tests and the ops endpoint). */
  async dump(index: number) {
    return this.get(index).worker.dump();
  }

  close(): void {
    this.closed = true;
    for (const w of this.workers) w.worker.close();
  }
}
