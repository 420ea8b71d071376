import type { DrawPermissions } from '../../contracts/whiteboard';
import {
  AppendResult,
  BoardLog,
  HistoryEntry,
  everyoneDraws,
  LoggedBoard,
  LoggedOp,
  LogListener,
  LogMessage,
  mayDraw,
  OpToLog,
  Unfollow,
} from '../board-log';
import type { BoardData } from '../domain/board';

interface StoredBoard {
  /** The last position given out; null until one is (or a board is restored). */
  head: number | null;
  snapshotPos: number;
  snapshot: string | null;
  ops: string[];
  /** R15: every op logged, with its time, never shortened by snapshots. */
  history: string[];
}

/**
 * The board log in one process's memory (the contract suite runs against it as against Redis). It keeps
 * what it is given as JSON and hands every follower its own parsed copy, as Redis does, so copies never
 * share objects. Messages reach followers after the call that caused them, in log order.
 */
export class InMemoryBoardLog implements BoardLog {
  private readonly boards = new Map<string, StoredBoard>();
  private readonly allowed = new Map<string, DrawPermissions>();
  private readonly listeners = new Map<string, Set<LogListener>>();

  private board(sessionId: string): StoredBoard {
    let b = this.boards.get(sessionId);
    if (!b) this.boards.set(sessionId, (b = { head: null, snapshotPos: 0, snapshot: null, ops: [], history: [] }));
    return b;
  }

  private publish(sessionId: string, message: () => LogMessage): void {
    const set = this.listeners.get(sessionId);
    if (!set?.size) return;
    for (const l of [...set]) queueMicrotask(() => set.has(l) && l(message()));
  }

  async append(sessionId: string, known: number, ops: readonly OpToLog[]): Promise<AppendResult> {
    const b = this.board(sessionId);
    if (known > 0 && b.head === null) return { lost: true };
    const p = this.allowed.get(sessionId) ?? everyoneDraws();
    const positions = ops.map((op) => {
      if (!mayDraw(p, op)) return 0;
      const pos = (b.head = (b.head ?? 0) + 1);
      const entry: LoggedOp = {
        pos,
        userId: op.userId,
        op: op.op,
        instance: op.instance,
        token: op.token,
        ...(op.socket ? { socket: op.socket } : {}),
      };
      const raw = JSON.stringify(entry);
      b.ops.push(raw);
      b.history.push(JSON.stringify({ pos, at: Date.now(), userId: op.userId, op: op.op }));
      this.publish(sessionId, () => ({ kind: 'op', entry: JSON.parse(raw) as LoggedOp }));
      return pos;
    });
    return { lost: false, positions };
  }

  async history(sessionId: string, from: number, count: number): Promise<HistoryEntry[]> {
    const b = this.boards.get(sessionId);
    return (b?.history ?? []).slice(from, from + count).map((raw) => JSON.parse(raw) as HistoryEntry);
  }

  async load(sessionId: string): Promise<LoggedBoard> {
    const b = this.boards.get(sessionId);
    if (!b) return { known: false, snapshotPos: 0, snapshot: null, ops: [] };
    return {
      known: b.head !== null || b.snapshot !== null || b.ops.length > 0,
      snapshotPos: b.snapshotPos,
      snapshot: b.snapshot ? (JSON.parse(b.snapshot) as BoardData) : null,
      ops: b.ops.map((raw) => JSON.parse(raw) as LoggedOp),
    };
  }

  async snapshot(sessionId: string, pos: number, board: BoardData): Promise<boolean> {
    const b = this.board(sessionId);
    if (pos <= b.snapshotPos) return false;
    b.ops = b.ops.slice(pos - b.snapshotPos);
    b.snapshot = JSON.stringify(board);
    b.snapshotPos = pos;
    this.publish(sessionId, () => ({ kind: 'snapshot', pos }));
    return true;
  }

  async restore(sessionId: string, pos: number, board: BoardData): Promise<boolean> {
    const b = this.board(sessionId);
    if (b.head !== null) return false;
    Object.assign(b, { head: pos, snapshotPos: pos, snapshot: JSON.stringify(board), ops: [] });
    return true;
  }

  async follow(sessionId: string, listener: LogListener): Promise<Unfollow> {
    let set = this.listeners.get(sessionId);
    if (!set) this.listeners.set(sessionId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size && this.listeners.get(sessionId) === set) this.listeners.delete(sessionId);
    };
  }

  async permissions(sessionId: string): Promise<DrawPermissions> {
    const p = this.allowed.get(sessionId);
    return p ? { mode: p.mode, userIds: [...p.userIds] } : everyoneDraws();
  }

  async setPermissions(sessionId: string, p: DrawPermissions): Promise<void> {
    this.allowed.set(sessionId, { mode: p.mode, userIds: [...p.userIds] });
  }

  async drop(sessionId: string): Promise<void> {
    this.boards.delete(sessionId);
    this.allowed.delete(sessionId);
    this.publish(sessionId, () => ({ kind: 'dropped' }));
  }

  /** What a lost connection does to Redis's followers: each hears that messages may have been missed. */
  resume(): void {
    for (const sid of this.listeners.keys()) this.publish(sid, () => ({ kind: 'resumed' }));
  }

  /** Forgets every board, as a Redis restarted without its data does (followers are not told). */
  wipe(): void {
    this.boards.clear();
    this.allowed.clear();
  }

  close(): void {
    this.listeners.clear();
  }
}
