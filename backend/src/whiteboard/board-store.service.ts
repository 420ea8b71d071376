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
const LOCK_MS = 3000;
const keys = (sid: string) => ({
  snapshot: `wb:${sid}:snapshot`,
  snapshotSeq: `wb:${sid}:snapshot-seq`,
  log: `wb:${sid}:log`,
  lock: `wb:${sid}:lock`,
});

/**
 * The board of a live class, in Redis: a snapshot plus the op log since it. Ops on one board are applied
 * one at a time under a short Redis lock, in sequence order, whichever instance receives them; each
 * instance keeps a cached copy it brings up to date from the log (it may cache, never own).
 */
@Injectable()
export class BoardStore {
  private readonly cache = new Map<string, Board>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async apply(sessionId: string, userId: string, op: BoardOp): Promise<Applied> {
    return this.locked(sessionId, async () => {
      const board = await this.current(sessionId);
      let applied: Applied;
      try {
        applied = applyOp(board, userId, op);
      } catch (e) {
        // The op was refused and the cached board may be half-changed: drop it, the log is the truth.
        this.cache.delete(sessionId);
        if (e instanceof BoardError) throw new DomainError(e.code, e.message, 409);
        throw e;
      }
      if (applied.duplicate) return applied;
      const k = keys(sessionId);
      const entry: LogEntry = { seq: applied.seq, userId, op, effects: applied.effects };
      await this.redis.rpush(k.log, JSON.stringify(entry));
      if (applied.seq % SNAPSHOT_EVERY === 0) {
        await this.redis.multi().set(k.snapshot, JSON.stringify(board)).set(k.snapshotSeq, String(board.seq)).del(k.log).exec();
      }
      return applied;
    });
  }

  /** What a client needs to catch up from `since`: the log entries after it, or the pages when it is too far behind. */
  async since(sessionId: string, since: number): Promise<{ seq: number; pages?: { order: string[]; pages: Record<string, Page> }; entries: LogEntry[] }> {
    const k = keys(sessionId);
    const [snapshotSeqRaw, logRaw] = await Promise.all([this.redis.get(k.snapshotSeq), this.redis.lrange(k.log, 0, -1)]);
    const entries = logRaw.map((r) => JSON.parse(r) as LogEntry);
    const snapshotSeq = Number(snapshotSeqRaw ?? 0);
    const seq = entries.at(-1)?.seq ?? snapshotSeq;
    if (since >= snapshotSeq) return { seq, entries: entries.filter((e) => e.seq > since) };
    const board = await this.current(sessionId);
    return { seq: board.seq, pages: { order: board.pageOrder, pages: board.pages }, entries: [] };
  }

  /** The board as it is now (pages only), e.g. to persist it at the end of class. */
  async pages(sessionId: string): Promise<{ seq: number; order: string[]; pages: Record<string, Page> }> {
    return this.locked(sessionId, async () => {
      const b = await this.current(sessionId);
      return { seq: b.seq, order: b.pageOrder, pages: b.pages };
    });
  }

  async drop(sessionId: string): Promise<void> {
    const k = keys(sessionId);
    this.cache.delete(sessionId);
    await this.redis.del(k.snapshot, k.snapshotSeq, k.log);
  }

  /**
   * The cached board brought up to date from Redis: only the log entries it has not applied are read
   * (entry i of the log is op snapshotSeq + 1 + i); it is rebuilt from the snapshot when it is behind it.
   */
  private async current(sessionId: string): Promise<Board> {
    const k = keys(sessionId);
    const snapshotSeq = Number((await this.redis.get(k.snapshotSeq)) ?? 0);
    let board = this.cache.get(sessionId);
    if (!board || board.seq < snapshotSeq) board = await this.fromSnapshot(sessionId, snapshotSeq);
    let logRaw = await this.redis.lrange(k.log, board.seq - snapshotSeq, -1);
    if (logRaw.length && (JSON.parse(logRaw[0]) as LogEntry).seq !== board.seq + 1) {
      // The log moved under us (a snapshot was taken meanwhile): start again from the snapshot.
      board = await this.fromSnapshot(sessionId, snapshotSeq);
      logRaw = await this.redis.lrange(k.log, 0, -1);
    }
    // Ops are deterministic: replaying them rebuilds the board, undo history included.
    for (const r of logRaw) {
      const e = JSON.parse(r) as LogEntry;
      if (e.seq > board.seq) applyOp(board, e.userId, e.op);
    }
    this.cache.set(sessionId, board);
    return board;
  }

  private async fromSnapshot(sessionId: string, snapshotSeq: number): Promise<Board> {
    const raw = snapshotSeq > 0 ? await this.redis.get(keys(sessionId).snapshot) : null;
    return raw ? (JSON.parse(raw) as Board) : emptyBoard();
  }

  private async locked<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const k = keys(sessionId).lock;
    const token = crypto.randomUUID();
    const deadline = Date.now() + LOCK_MS * 2;
    while (!(await this.redis.set(k, token, 'PX', LOCK_MS, 'NX'))) {
      if (Date.now() > deadline) throw new DomainError('BOARD_BUSY', 'The board is busy; try again', 503);
      await new Promise((r) => setTimeout(r, 5));
    }
    try {
      return await fn();
    } finally {
      // Release only our own lock.
      await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, k, token);
    }
  }
}
