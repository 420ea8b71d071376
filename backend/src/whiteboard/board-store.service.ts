import { Inject, Injectable } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { BoardOp } from '../contracts/whiteboard';
import { DomainError } from '../platform/domain-error';
import { REDIS } from '../platform/redis';
import { Applied, applyOp, Board, BoardError, Effect, emptyBoard, Page } from './domain/board';

/** One applied op, as kept in the board's op log in Redis. */
export interface LogEntry {
  seq: number;
  userId: string;
  op: BoardOp;
  effects: Effect[];
}

const SNAPSHOT_EVERY = 200;
/** Ops applied under one lock hold at most (bounds the commit's size). */
const MAX_BATCH = 64;

interface Pending {
  userId: string;
  op: BoardOp;
  resolve: (a: Applied) => void;
  reject: (e: unknown) => void;
}
const LOCK_MS = 3000;
const keys = (sid: string) => ({
  snapshot: `wb:${sid}:snapshot`,
  snapshotSeq: `wb:${sid}:snapshot-seq`,
  log: `wb:${sid}:log`,
  lock: `wb:${sid}:lock`,
});

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * KEYS: lock, snapshot-seq, snapshot, log. ARGV: token, lock ms, the caller's cached seq (-1: none).
 * Returns {0} when the lock is held by another, else {1, snapshotSeq, snapshot or false, entries}:
 * the log entries after the cached seq, or the snapshot and the whole log when the cache is older
 * than the snapshot (or missing).
 */
const ACQUIRE = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {0, 0, false, {}} end
local snap = tonumber(redis.call('GET', KEYS[2]) or '0')
local cached = tonumber(ARGV[3])
if cached >= snap then
  return {1, snap, false, redis.call('LRANGE', KEYS[4], cached - snap, -1)}
end
local snapshot = false
if snap > 0 then snapshot = redis.call('GET', KEYS[3]) end
return {1, snap, snapshot, redis.call('LRANGE', KEYS[4], 0, -1)}`;

/**
 * KEYS: log, snapshot, snapshot-seq, lock. ARGV: token, snapshot JSON ('' when none is due), the
 * snapshot's seq, then the entries' JSON. Appends the entries, or, when a snapshot is due, replaces
 * the log with it (it includes them); releases the lock. Writes nothing and returns 0 when the lock is
 * no longer ours (held past its expiry while another instance took the board).
 */
const COMMIT = `
if redis.call('GET', KEYS[4]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[2], ARGV[2])
  redis.call('SET', KEYS[3], ARGV[3])
  redis.call('DEL', KEYS[1])
elseif #ARGV > 3 then
  redis.call('RPUSH', KEYS[1], unpack(ARGV, 4))
end
redis.call('DEL', KEYS[4])
return 1`;

/**
 * The board of a live class, in Redis: a snapshot plus the op log since it. Ops on one board are applied
 * in order under a short Redis lock, in batches per instance (two round trips per batch: ACQUIRE, COMMIT), in sequence order, whichever instance receives them; each
 * instance keeps a cached copy it brings up to date from the log (it may cache, never own).
 */
@Injectable()
export class BoardStore {
  private readonly cache = new Map<string, Board>();
  private readonly queues = new Map<string, Pending[]>();
  private readonly draining = new Set<string>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /**
   * Applies one op. Ops that arrive at this instance for the same board while it is busy are queued and
   * applied together: one script takes the board's lock and returns what this instance's cached board has
   * not seen yet, the queued ops are applied in order, and a second script appends them all to the log
   * (or folds the log into a new snapshot when one is due) and releases the lock. Two Redis round trips
   * per batch, and one lock hand-over per instance instead of per op, however busy the board is.
   */
  apply(sessionId: string, userId: string, op: BoardOp): Promise<Applied> {
    return new Promise<Applied>((resolve, reject) => {
      const queue = this.queues.get(sessionId) ?? [];
      queue.push({ userId, op, resolve, reject });
      this.queues.set(sessionId, queue);
      if (!this.draining.has(sessionId)) void this.drain(sessionId);
    });
  }

  private async drain(sessionId: string): Promise<void> {
    this.draining.add(sessionId);
    try {
      for (;;) {
        const queue = this.queues.get(sessionId);
        if (!queue?.length) break;
        const batch = queue.splice(0, MAX_BATCH);
        try {
          const rest = await this.applyBatch(sessionId, batch);
          // Ops after a refused one go again, on a board rebuilt from the log.
          if (rest.length) queue.unshift(...rest);
        } catch (e) {
          for (const item of batch) item.reject(e);
        }
      }
    } finally {
      this.draining.delete(sessionId);
      if (!this.queues.get(sessionId)?.length) this.queues.delete(sessionId);
    }
  }

  /** Applies a batch under the lock; returns the ops not attempted (those after a refused one). */
  private async applyBatch(sessionId: string, batch: Pending[]): Promise<Pending[]> {
    const k = keys(sessionId);
    const token = crypto.randomUUID();
    const board = await this.acquire(sessionId, token);
    const entries: LogEntry[] = [];
    const done: Array<{ item: Pending; applied: Applied }> = [];
    let refused: { item: Pending; error: unknown } | null = null;
    for (const item of batch) {
      try {
        const applied = applyOp(board, item.userId, item.op);
        done.push({ item, applied });
        if (!applied.duplicate) entries.push({ seq: applied.seq, userId: item.userId, op: item.op, effects: applied.effects });
      } catch (e) {
        refused = { item, error: e };
        break;
      }
    }
    const crossed = entries.some((e) => e.seq % SNAPSHOT_EVERY === 0);
    let written: unknown;
    try {
      if (refused) {
        // The refused op may have half-changed the cached board: write only what came before it, and
        // rebuild the cache from the log next time. A snapshot waits for a clean board.
        this.cache.delete(sessionId);
        written = await this.redis.eval(COMMIT, 4, k.log, k.snapshot, k.snapshotSeq, k.lock, token, '', '0', ...entries.map((e) => JSON.stringify(e)));
      } else {
        const snapshot = crossed ? JSON.stringify(board) : '';
        written = await this.redis.eval(COMMIT, 4, k.log, k.snapshot, k.snapshotSeq, k.lock, token, snapshot, String(board.seq), ...entries.map((e) => JSON.stringify(e)));
      }
    } catch (e) {
      // Not written: the cached board is ahead of the log; rebuild it next time.
      this.cache.delete(sessionId);
      throw e;
    }
    if (written !== 1) {
      // We lost the lock (stalled past its expiry): nothing was written; the clients retry these ops.
      this.cache.delete(sessionId);
      throw new DomainError('BOARD_BUSY', 'The board is busy; try again', 503);
    }
    for (const { item, applied } of done) item.resolve(applied);
    if (!refused) return [];
    const e = refused.error;
    refused.item.reject(e instanceof BoardError ? new DomainError(e.code, e.message, 409) : e);
    return batch.slice(batch.indexOf(refused.item) + 1);
  }

  /** Takes the board's lock and brings the cached board up to date, in one round trip per try. */
  private async acquire(sessionId: string, token: string): Promise<Board> {
    const k = keys(sessionId);
    const deadline = Date.now() + LOCK_MS * 2;
    for (let attempt = 0; ; attempt++) {
      const cached = this.cache.get(sessionId);
      const [got, snapshotSeq, snapshotRaw, logRaw] = (await this.redis.eval(ACQUIRE, 4, k.lock, k.snapshotSeq, k.snapshot, k.log, token, String(LOCK_MS), String(cached?.seq ?? -1))) as [number, number, string | false, string[]];
      if (got === 1) {
        let board = cached && cached.seq >= snapshotSeq ? cached : snapshotRaw ? (JSON.parse(snapshotRaw) as Board) : emptyBoard();
        const entries = logRaw.map((r) => JSON.parse(r) as LogEntry);
        if (entries.length && entries[0].seq !== board.seq + 1) {
          // Should not happen under the lock; rebuild from the snapshot and the whole log to be safe.
          this.cache.delete(sessionId);
          await this.release(k.lock, token);
          if (Date.now() > deadline) throw new DomainError('BOARD_BUSY', 'The board is busy; try again', 503);
          continue;
        }
        // Ops are deterministic: replaying them rebuilds the board, undo history included.
        for (const e of entries) if (e.seq > board.seq) applyOp(board, e.userId, e.op);
        this.cache.set(sessionId, board);
        return board;
      }
      if (Date.now() > deadline) throw new DomainError('BOARD_BUSY', 'The board is busy; try again', 503);
      // Another instance holds the board for about a round trip: try again almost at once.
      await new Promise((r) => setTimeout(r, attempt < 3 ? 1 : 3));
    }
  }

  private async release(lock: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, lock, token);
  }

  /** What a client needs to catch up from `since`: the log entries after it, or the pages when it is too far behind. */
  async since(sessionId: string, since: number): Promise<{ seq: number; pages?: { order: string[]; pages: Record<string, Page> }; entries: LogEntry[] }> {
    const k = keys(sessionId);
    const [snapshotSeqRaw, logRaw] = await Promise.all([this.redis.get(k.snapshotSeq), this.redis.lrange(k.log, 0, -1)]);
    const entries = logRaw.map((r) => JSON.parse(r) as LogEntry);
    const snapshotSeq = Number(snapshotSeqRaw ?? 0);
    const seq = entries.at(-1)?.seq ?? snapshotSeq;
    if (since >= snapshotSeq) return { seq, entries: entries.filter((e) => e.seq > since) };
    const { seq: boardSeq, order, pages } = await this.pages(sessionId);
    return { seq: boardSeq, pages: { order, pages }, entries: [] };
  }

  /** The board as it is now (pages only), e.g. to persist it at the end of class. */
  async pages(sessionId: string): Promise<{ seq: number; order: string[]; pages: Record<string, Page> }> {
    // Under the board's lock, like an op: the cached board is brought up to date by one instance at a time.
    const token = crypto.randomUUID();
    const b = await this.acquire(sessionId, token);
    try {
      return { seq: b.seq, order: b.pageOrder, pages: b.pages };
    } finally {
      await this.release(keys(sessionId).lock, token);
    }
  }

  async drop(sessionId: string): Promise<void> {
    const k = keys(sessionId);
    this.cache.delete(sessionId);
    await this.redis.del(k.snapshot, k.snapshotSeq, k.log);
  }
}
