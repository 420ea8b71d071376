import type { BoardOp, DrawPermissions } from '../contracts/whiteboard';
import type { BoardData } from './domain/board';

/**
 * Where a live board's ops are ordered and kept: the log every instance's copy follows. Redis in
 * production (`infra/redis-board-log.ts`), memory in tests (`infra/in-memory-board-log.ts`); both pass
 * one contract suite (`board-log.contract.ts`) whose cases are the numbered rules of PROTOCOL.md.
 */
export interface BoardLog {
  /**
   * R1-R4: gives each op its sender may draw the next position, logs it and tells every follower, in one
   * step and in the order given. `known` is the last position the caller's copy holds: when it is above 0
   * and the log has no board (lost), nothing is logged and the answer is `{ lost: true }`.
   */
  append(sessionId: string, known: number, ops: readonly OpToLog[]): Promise<AppendResult>;
  /** R5: the snapshot, its position and the ops logged after it; `known` false when the log has no board. */
  load(sessionId: string): Promise<LoggedBoard>;
  /** R6: the board at `pos` replaces an older snapshot and the ops it includes leave the log; false if not older. */
  snapshot(sessionId: string, pos: number, board: BoardData): Promise<boolean>;
  /** R7: the board at `pos` becomes the log's board when the log has none; the first one in wins (true). */
  restore(sessionId: string, pos: number, board: BoardData): Promise<boolean>;
  /** R2: calls `listener` with every message about the board from now on, in log order; resolves once listening. */
  follow(sessionId: string, listener: LogListener): Promise<Unfollow>;
  /** R3: who may draw, as append checks it. */
  permissions(sessionId: string): Promise<DrawPermissions>;
  setPermissions(sessionId: string, p: DrawPermissions): Promise<void>;
  /**
   * R15: every op logged since the board began, with the time it was logged (ms), in position order,
   * snapshots notwithstanding: the class's recording replays it. `from`/`count` page through it.
   */
  history(sessionId: string, from: number, count: number): Promise<HistoryEntry[]>;
  /** R8: the board leaves the log (the class is over and saved); its followers are told. */
  drop(sessionId: string): Promise<void>;
  close(): void;
}

/** An op as the log keeps it: its position, its sender, and where it came from. */
export interface LoggedOp {
  pos: number;
  userId: string;
  op: BoardOp;
  /** The store that logged it and the token its waiting caller is known by there. */
  instance: string;
  token: string;
  /** The socket that sent it, left out of the broadcast (it has the effects in its ack). */
  socket?: string;
}

/** An op of the board's whole history (R15), with the wall-clock time it was logged at (ms). */
export interface HistoryEntry {
  pos: number;
  at: number;
  userId: string;
  op: BoardOp;
}

/** An op on its way into the log; `teacher`: its sender teaches the class, so may always draw. */
export type OpToLog = Omit<LoggedOp, 'pos'> & { teacher: boolean };

/** Each op's position in the order given (0: its sender may not draw, nothing logged), or the board was lost. */
export type AppendResult = { lost: true } | { lost: false; positions: number[] };

export interface LoggedBoard {
  /** The log has something of this board (a position given out, a snapshot, or ops). */
  known: boolean;
  snapshotPos: number;
  snapshot: BoardData | null;
  /** The ops after the snapshot, in position order. */
  ops: LoggedOp[];
}

/**
 * What a follower hears: an op logged, a snapshot taken, the board dropped, or `resumed` (the log's
 * connection came back: messages may have been lost meanwhile, so the copy reloads).
 */
export type LogMessage =
  { kind: 'op'; entry: LoggedOp } | { kind: 'snapshot'; pos: number } | { kind: 'dropped' } | { kind: 'resumed' };
export type LogListener = (m: LogMessage) => void;
export type Unfollow = () => void;

/** Who may draw on a board nobody has said anything about. */
export const everyoneDraws = (): DrawPermissions => ({ mode: 'everyone', userIds: [] });

/** Whether an op's sender may draw under `p` (teachers always may): the rule both logs apply at append. */
export function mayDraw(p: DrawPermissions, op: Pick<OpToLog, 'teacher' | 'userId'>): boolean {
  return op.teacher || p.mode === 'everyone' || (p.mode === 'named' && p.userIds.includes(op.userId));
}
