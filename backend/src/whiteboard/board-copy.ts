import type { LoggedOp, LogMessage, Unfollow } from './board-log';
import { Board, emptyBoard, Effect } from './domain/board';
import type { BoardOp } from '../contracts/whiteboard';

/** One applied op, as a catching-up client receives it. */
export interface LogEntry {
  seq: number;
  userId: string;
  op: BoardOp;
  effects: Effect[];
}

/** A snapshot is written at every multiple of this log position (by the instance whose op it is). */
export const SNAPSHOT_EVERY = 200;
/** A client that has seen more than this instance's copy waits at most this long for the copy to catch up. */
const CATCH_UP_MS = 1000;

/**
 * This instance's copy of one board, brought up to date from the log's stream: never the owner of
 * anything. It remembers the ops applied since the last snapshot (for clients catching up) and which
 * positions already went out to this instance's sockets.
 */
export class BoardCopy {
  board: Board = emptyBoard();
  /** The last log position applied. */
  pos = 0;
  snapshotPos = 0;
  /** Highest position whose effects went out to this instance's sockets. */
  emitted = 0;
  /** Stream messages that arrived while the board was (re)loading; null when not loading. */
  buffered: LogMessage[] | null = [];
  loading = true;
  ready: Promise<void> = Promise.resolve();
  /** Stops listening to the log (set once listening). */
  unfollow?: Unfollow;
  /** Local interest: sockets of this class on this instance, or a recent call (`lastUsed`). */
  rooms = 0;
  lastUsed = Date.now();
  idleTimer?: NodeJS.Timeout;
  private recent: Array<LogEntry & { pos: number }> = [];
  /** Callers waiting for the copy to reach a sequence number (a client that is ahead of this instance). */
  private catchUp: Array<{ seq: number; done: () => void }> = [];

  constructor(readonly sessionId: string) {}

  /** Starts again from a loaded snapshot at `pos`. */
  reset(board: Board, pos: number): void {
    this.board = board;
    this.pos = pos;
    this.snapshotPos = pos;
    this.recent = [];
  }

  /** Remembers an applied op for catch-ups and wakes the callers waiting for its sequence number. */
  remember(entry: LogEntry, at: LoggedOp['pos']): void {
    this.recent.push({ ...entry, pos: at });
    if (this.recent.length > 4 * SNAPSHOT_EVERY) this.recent.shift();
    if (!this.catchUp.length) return;
    const reached = this.catchUp.filter((w) => w.seq <= entry.seq);
    this.catchUp = this.catchUp.filter((w) => w.seq > entry.seq);
    for (const w of reached) w.done();
  }

  /** A snapshot was taken at `pos`: the ops it includes are no longer kept. */
  snapshotTaken(pos: number): void {
    if (pos <= this.snapshotPos) return;
    this.snapshotPos = pos;
    this.recent = this.recent.filter((e) => e.pos > pos);
  }

  /** The applied ops after sequence number `since`, oldest first. */
  entriesSince(since: number): LogEntry[] {
    return this.recent
      .filter((e) => e.seq > since)
      .map(({ seq, userId, op, effects }) => ({ seq, userId, op, effects }));
  }

  /** Resolves once the copy reaches sequence number `seq`, or after a second whatever happened. */
  reach(seq: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const w = { seq, done: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.catchUp = this.catchUp.filter((x) => x !== w);
        resolve();
      }, CATCH_UP_MS);
      timer.unref();
      this.catchUp.push(w);
    });
  }
}
