import { Logger, OnModuleDestroy } from '@nestjs/common';
import crypto from 'node:crypto';
import type { BoardOp, DrawPermissions } from '../contracts/whiteboard';
import { DomainError } from '../platform/domain-error';
import { AppendQueue } from './append-queue';
import { BoardCopy, LogEntry, SNAPSHOT_EVERY } from './board-copy';
import type { BoardLog, LoggedOp, LogMessage } from './board-log';
import {
  Applied,
  applyOp,
  Board,
  boardFromData,
  BoardError,
  boardToData,
  emptyBoard,
  PageData,
  pagesToData,
} from './domain/board';
import { followerStep } from './domain/follower-step';

export type { LogEntry } from './board-copy';

/** An applied op as every instance sees it, with where it came from (to leave the sender out of the broadcast). */
export interface AppliedEntry extends LogEntry {
  /** The socket that sent it, when there was one. */
  origin?: string;
}

/** A board as the wire shows it; its pages are built only when read (by the naive broadcast, kept for measuring). */
export interface BoardView {
  seq: number;
  pageOrder: string[];
  readonly pages: Record<string, PageData>;
}

/** Told of every op applied on this instance's copies, once each: the gateway sends the effects to its sockets. */
export type AppliedListener = (sessionId: string, entry: AppliedEntry, board: BoardView) => void;

export interface BoardStoreOptions {
  /** Where a board the log has nothing of starts from (its last save), if anywhere. */
  seed?: (sessionId: string) => Promise<Board | null>;
}

const viewOf = (b: Board): BoardView => {
  let pages: Record<string, PageData> | undefined;
  return {
    seq: b.seq,
    pageOrder: b.pageOrder,
    get pages() {
      return (pages ??= pagesToData(b));
    },
  };
};

/** A board nobody on this instance uses is forgotten after this long. */
const IDLE_MS = 60_000;

/**
 * The boards of live classes. The log (Redis in production) orders the ops: one call gives each the
 * next position, logs it and tells every follower. Every instance that has someone in the class follows
 * the board and applies the ops to its own copy in that order. Ops are deterministic, so every copy is
 * the same board, and each instance sends the effects to its own sockets. An op costs one log round trip
 * and holds no lock, so a slow or paused instance never holds up another. See PROTOCOL.md.
 */
export class BoardStore implements OnModuleDestroy {
  private readonly logger = new Logger('BoardStore');
  private readonly instance = crypto.randomUUID();
  private readonly copies = new Map<string, BoardCopy>();
  private readonly appends: AppendQueue;
  private readonly listeners = new Set<AppliedListener>();
  private closed = false;

  constructor(
    readonly log: BoardLog,
    private readonly options: BoardStoreOptions = {},
  ) {
    this.appends = new AppendQueue(log, this.instance, {
      copy: (sessionId) => this.copies.get(sessionId),
      reload: (sessionId) => this.reload(sessionId),
    });
  }

  /** Listens to every op applied here; returns the way to stop. */
  onApplied(listener: AppliedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onModuleDestroy(): void {
    this.close();
  }

  /** Forgets every copy and stops following (the log belongs to whoever made it). */
  close(): void {
    this.closed = true;
    for (const c of [...this.copies.values()]) this.forget(c);
  }

  /**
   * Applies one op: it is logged (with the ops that reach this instance meanwhile, in one call), and
   * the answer comes when this instance's copy applies it in log order: its sequence number and
   * effects, or the refusal's code. A refused op takes no sequence number and changes nothing.
   */
  async apply(
    sessionId: string,
    userId: string,
    op: BoardOp,
    opts: { origin?: string; teacher?: boolean } = {},
  ): Promise<Applied> {
    await this.follow(sessionId);
    return this.appends.add(sessionId, {
      userId,
      teacher: opts.teacher ?? false,
      op,
      ...(opts.origin ? { socket: opts.origin } : {}),
    });
  }

  /**
   * Makes sure this instance follows the board (listening to the log, copy loaded) and keeps it while
   * there is local interest. Called when a socket of the class is first on this instance, and by every
   * read or op.
   */
  follow(sessionId: string, room = false): Promise<void> {
    if (this.closed) return Promise.reject(new DomainError('BOARD_UNAVAILABLE', 'The server is shutting down', 503));
    let c = this.copies.get(sessionId);
    if (!c) {
      const started = (c = new BoardCopy(sessionId));
      this.copies.set(sessionId, started);
      started.ready = this.log
        .follow(sessionId, (m) => this.receive(started, m))
        .then((unfollow) => {
          started.unfollow = unfollow;
          // Forgotten while the log was being asked: stop at once.
          if (this.copies.get(sessionId) !== started) return unfollow();
          return this.load(started);
        })
        .catch((e) => {
          if (this.copies.get(sessionId) === started) this.forget(started);
          throw e;
        });
    }
    if (room) c.rooms++;
    this.touch(c);
    return c.ready;
  }

  /** A class's last socket left this instance: forget its board after a while unless it comes back. */
  unfollow(sessionId: string): void {
    const c = this.copies.get(sessionId);
    if (!c) return;
    c.rooms = Math.max(0, c.rooms - 1);
    this.touch(c);
  }

  /** Marks the board used; one timer per board (not per op) forgets it once idle and without sockets here. */
  private touch(c: BoardCopy): void {
    c.lastUsed = Date.now();
    if (c.idleTimer) return;
    const check = () => {
      const idle = Date.now() - c.lastUsed;
      if (c.rooms === 0 && idle >= IDLE_MS) return this.forget(c);
      c.idleTimer = setTimeout(check, Math.max(1000, IDLE_MS - idle));
      c.idleTimer.unref();
    };
    c.idleTimer = setTimeout(check, IDLE_MS);
    c.idleTimer.unref();
  }

  /**
   * Loads the board from its snapshot and log (listening first, so that nothing falls between the two).
   * What the log holds goes to this instance's sockets, except what a reload finds already sent: a
   * socket whose join started the follow may have missed an op logged meanwhile (clients ignore what
   * they have).
   */
  private async load(c: BoardCopy): Promise<void> {
    let logged = await this.log.load(c.sessionId);
    if (!logged.known) {
      // The log has nothing of this board. A live copy here is the board: put it back and keep it. Else
      // its last save, if the class had one, is where it starts again.
      if (c.pos > 0 && (await this.log.restore(c.sessionId, c.pos, boardToData(c.board)))) {
        this.logger.warn(
          `board ${c.sessionId} was missing from the log: restored from this instance's copy at position ${c.pos}`,
        );
        c.reset(c.board, c.pos);
        return this.loaded(c);
      }
      if (c.pos > 0 || (await this.seeded(c.sessionId))) logged = await this.log.load(c.sessionId);
    }
    const previous = c.pos;
    // Read through boardFromData: own keys only, reserved ids a board saved by an older server may hold left out.
    c.reset(logged.snapshot ? boardFromData(logged.snapshot) : emptyBoard(), logged.snapshotPos);
    // Effects already sent to this instance's sockets are not sent again.
    c.emitted = Math.max(c.emitted, previous);
    for (const entry of logged.ops) this.applyEntry(c, entry);
    this.loaded(c);
  }

  /** The copy is loaded: the stream messages that came meanwhile are applied (those the log had are skipped). */
  private loaded(c: BoardCopy): void {
    const buffered = c.buffered ?? [];
    c.buffered = null;
    c.loading = false;
    for (const m of buffered) this.receive(c, m, true);
  }

  /** Puts a saved board in the log as the starting point of a board the log has nothing of; true if there was one. */
  private async seeded(sessionId: string): Promise<boolean> {
    const saved = await this.options.seed?.(sessionId);
    if (!saved) return false;
    if (await this.log.restore(sessionId, 0, boardToData(saved)))
      this.logger.warn(
        `the board of ${sessionId} was missing from the log: started again from its save at seq ${saved.seq}`,
      );
    return true;
  }

  /** Brings a board back in step with its log (after a gap in the stream). */
  private reload(sessionId: string): Promise<void> {
    const c = this.copies.get(sessionId);
    if (!c) return Promise.resolve();
    if (c.loading) return c.ready;
    c.loading = true;
    c.buffered ??= [];
    c.ready = this.load(c).catch((e) => {
      if (this.copies.get(sessionId) === c) this.forget(c);
      throw e;
    });
    return c.ready;
  }

  private reloadQuietly(c: BoardCopy): void {
    void this.reload(c.sessionId).catch((e) =>
      this.logger.warn(`reloading board ${c.sessionId}: ${(e as Error).message}`),
    );
  }

  /** One message from the log; `replaying`: one that arrived during a load (those the log had are skipped). */
  private receive(c: BoardCopy, m: LogMessage, replaying = false): void {
    // The log's connection came back: whatever was published meanwhile is lost; a load under way covers it.
    if (m.kind === 'resumed') return this.reloadQuietly(c);
    if (c.buffered) return void c.buffered.push(m);
    if (m.kind === 'dropped') return this.forget(c);
    if (m.kind === 'snapshot') return c.snapshotTaken(m.pos);
    switch (followerStep(c.pos, m.entry.pos, replaying)) {
      case 'apply':
        return this.applyEntry(c, m.entry);
      case 'stale':
        return;
      case 'rewind':
        // The log lost the board and someone started it again: take what the log has now.
        c.buffered = [];
        c.pos = 0;
        c.emitted = 0;
        return this.reloadQuietly(c);
      case 'gap':
        // Some messages were lost: the log has them.
        c.buffered = [m];
        return this.reloadQuietly(c);
    }
  }

  /** Applies the op at the next position: answers its sender if it waits here, sends the effects out. */
  private applyEntry(c: BoardCopy, m: LoggedOp): void {
    if (m.pos !== c.pos + 1) throw new Error(`board ${c.sessionId}: entry ${m.pos} after ${c.pos}`);
    c.pos = m.pos;
    const waiter = m.instance === this.instance ? this.appends.settle(m.token) : undefined;
    let applied: Applied;
    try {
      applied = applyOp(c.board, m.userId, m.op);
    } catch (e) {
      // Refused where it stands in the order (every copy refuses it alike): it changes nothing.
      waiter?.reject(e instanceof BoardError ? new DomainError(e.code, e.message, 409) : e);
      return;
    }
    waiter?.resolve(applied);
    if (applied.duplicate) return;
    const entry: AppliedEntry = {
      seq: applied.seq,
      userId: m.userId,
      op: m.op,
      effects: applied.effects,
      ...(m.socket ? { origin: m.socket } : {}),
    };
    c.remember({ seq: entry.seq, userId: entry.userId, op: entry.op, effects: entry.effects }, m.pos);
    if (m.pos > c.emitted) {
      c.emitted = m.pos;
      if (this.listeners.size) this.announce(c, entry);
    }
    // Every SNAPSHOT_EVERY positions, the instance whose op it is writes the snapshot (one writer, no race).
    if (m.instance === this.instance && m.pos % SNAPSHOT_EVERY === 0) {
      void this.log
        .snapshot(c.sessionId, m.pos, boardToData(c.board))
        .catch((e) => this.logger.warn(`board snapshot: ${(e as Error).message}`));
    }
  }

  private announce(c: BoardCopy, entry: AppliedEntry): void {
    const view = viewOf(c.board);
    for (const l of this.listeners) {
      try {
        l(c.sessionId, entry, view);
      } catch (e) {
        this.logger.warn(`sending board effects: ${(e as Error).message}`);
      }
    }
  }

  /** What a client needs to catch up from `since`: the entries after it, or the pages when it is too far behind. */
  async since(
    sessionId: string,
    since: number,
  ): Promise<{ seq: number; pages?: { order: string[]; pages: Record<string, PageData> }; entries: LogEntry[] }> {
    await this.follow(sessionId);
    const c = this.copies.get(sessionId)!;
    // A client coming over from another instance may have seen ops this copy has not applied yet (a
    // message behind): wait for them rather than answer with the whole board.
    if (since > c.board.seq) await c.reach(since);
    const seq = c.board.seq;
    const entries = c.entriesSince(since);
    // Complete when it starts right after `since` (or nothing happened since).
    if (seq === since || entries[0]?.seq === since + 1) return { seq, entries };
    return { seq, pages: { order: c.board.pageOrder, pages: pagesToData(c.board) }, entries: [] };
  }

  /**
   * The board as its log has it now (pages only), e.g. to persist it at the end of class: read from the
   * log (a copy following the stream may be a message behind).
   */
  async pages(sessionId: string): Promise<{ seq: number; order: string[]; pages: Record<string, PageData> }> {
    const logged = await this.log.load(sessionId);
    const board = logged.snapshot ? boardFromData(logged.snapshot) : emptyBoard();
    for (const m of logged.ops) {
      try {
        applyOp(board, m.userId, m.op);
      } catch {
        /* refused in its place, as on every copy */
      }
    }
    return { seq: board.seq, order: board.pageOrder, pages: pagesToData(board) };
  }

  /** Who may draw (read for a catch-up answer; ops are checked by the log's append, in the board's order). */
  permissions(sessionId: string): Promise<DrawPermissions> {
    return this.log.permissions(sessionId);
  }

  setPermissions(sessionId: string, p: DrawPermissions): Promise<void> {
    return this.log.setPermissions(sessionId, p);
  }

  /** R15: a page of the board's whole op history, with times. */
  history(sessionId: string, from: number, count: number) {
    return this.log.history(sessionId, from, count);
  }

  /** The class is over and its board saved: it leaves the log, and every instance forgets its copy (none puts it back). */
  async drop(sessionId: string): Promise<void> {
    const c = this.copies.get(sessionId);
    if (c) this.forget(c);
    await this.log.drop(sessionId);
  }

  private forget(c: BoardCopy): void {
    clearTimeout(c.idleTimer);
    if (this.copies.get(c.sessionId) !== c) return;
    this.copies.delete(c.sessionId);
    c.unfollow?.();
  }
}
