import { Logger } from '@nestjs/common';
import crypto from 'node:crypto';
import { DomainError, ForbiddenError } from '../platform/domain-error';
import type { BoardLog, OpToLog } from './board-log';
import { Applied, Board, boardToData } from './domain/board';

/** Ops sent to the log in one call at most. */
const MAX_BATCH = 64;
/** A caller waits this long for its op to come back on the stream before the board is reloaded from the log. */
const STREAM_WAIT_MS = 3000;

interface Waiter {
  resolve: (a: Applied) => void;
  reject: (e: unknown) => void;
}

/** What the queue needs of the store: this instance's copy of a board, and a way to reload it. */
export interface AppendQueueHost {
  copy(sessionId: string): { pos: number; board: Board } | undefined;
  reload(sessionId: string): Promise<void>;
}

/**
 * One instance's ops on their way into the log. Ops that reach a board while its log call is in flight
 * go in the next call together (one round trip for many ops). Each caller waits under a token until
 * its op comes back from the log and this instance's copy applies it (`settle`), or is refused.
 */
export class AppendQueue {
  private readonly logger = new Logger('BoardStore');
  private readonly waiters = new Map<string, Waiter>();
  private readonly queues = new Map<string, Array<{ op: Omit<OpToLog, 'instance' | 'token'>; waiter: Waiter }>>();
  private readonly sending = new Set<string>();

  constructor(
    private readonly log: BoardLog,
    private readonly instance: string,
    private readonly host: AppendQueueHost,
  ) {}

  add(sessionId: string, op: Omit<OpToLog, 'instance' | 'token'>): Promise<Applied> {
    return new Promise<Applied>((resolve, reject) => {
      const queue = this.queues.get(sessionId) ?? [];
      queue.push({ op, waiter: { resolve, reject } });
      this.queues.set(sessionId, queue);
      if (!this.sending.has(sessionId)) void this.send(sessionId);
    });
  }

  /** The caller waiting for the op logged under `token`, taken off the list (once). */
  settle(token: string): Waiter | undefined {
    const w = this.waiters.get(token);
    this.waiters.delete(token);
    return w;
  }

  private async send(sessionId: string): Promise<void> {
    this.sending.add(sessionId);
    try {
      for (;;) {
        const queue = this.queues.get(sessionId);
        if (!queue?.length) break;
        const batch: OpToLog[] = queue.splice(0, MAX_BATCH).map((p) => {
          const token = crypto.randomUUID();
          this.waitFor(sessionId, token, p.waiter);
          return { ...p.op, instance: this.instance, token };
        });
        try {
          for (let attempt = 0; ; attempt++) {
            const c = this.host.copy(sessionId);
            const result = await this.log.append(sessionId, c?.pos ?? 0, batch);
            if (!result.lost) {
              result.positions.forEach((pos, i) => {
                if (pos === 0)
                  this.settle(batch[i].token)?.reject(
                    new ForbiddenError('DRAWING_NOT_ALLOWED', 'The instructor has not let you draw'),
                  );
              });
              break;
            }
            // The log lost the board (Redis restarted without its data): this copy is the board; put it back, then log.
            if (!c || attempt > 2) throw new DomainError('BOARD_BUSY', 'The board is being restored; try again', 503);
            if (await this.log.restore(sessionId, c.pos, boardToData(c.board))) {
              this.logger.warn(
                `board ${sessionId} was missing from the log: restored from this instance's copy at position ${c.pos}`,
              );
            }
          }
        } catch (e) {
          for (const b of batch) this.settle(b.token)?.reject(e);
        }
      }
    } finally {
      this.sending.delete(sessionId);
      if (!this.queues.get(sessionId)?.length) this.queues.delete(sessionId);
    }
  }

  /** Registers a caller until its op comes back; reloads the board from the log if it does not. */
  private waitFor(sessionId: string, token: string, waiter: Waiter): void {
    const timer = setTimeout(() => {
      if (!this.waiters.has(token)) return;
      // The stream lost it (a dropped subscription): the log has it. Reload, then give up if still missing.
      void this.host
        .reload(sessionId)
        .catch(() => undefined)
        .then(() => this.settle(token)?.reject(new DomainError('BOARD_BUSY', 'The board is busy; try again', 503)));
    }, STREAM_WAIT_MS);
    timer.unref();
    this.waiters.set(token, {
      resolve: (a) => (clearTimeout(timer), waiter.resolve(a)),
      reject: (e) => (clearTimeout(timer), waiter.reject(e)),
    });
  }
}
