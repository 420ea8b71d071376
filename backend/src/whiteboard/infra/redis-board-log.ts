import { Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
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
  OpToLog,
  Unfollow,
} from '../board-log';
import type { BoardData } from '../domain/board';
import { APPEND, LOAD, RESTORE, SNAPSHOT } from './board-log-scripts';

/** The keys of one board. Unchanged since the first release: a live board survives an upgrade. */
export const boardKeys = (sid: string) => ({
  head: `wb:${sid}:head`,
  log: `wb:${sid}:log`,
  snapshot: `wb:${sid}:snapshot`,
  snapshotPos: `wb:${sid}:snapshot-pos`,
  permissions: `wb:${sid}:permissions`,
  stream: `wb:${sid}:stream`,
  history: `wb:${sid}:history`,
});

/** How long who-may-draw outlives its last change. */
const PERMISSIONS_TTL_S = 7 * 86400;

/** An entry as releases before named fields wrote it (R9): read, never written. */
interface ShortEntry {
  pos: number;
  u: string;
  o: LoggedOp['op'];
  i: string;
  t: string;
  s?: string;
}

/** R9: one logged op from its JSON, in either form. */
export function decodeEntry(raw: string): LoggedOp {
  const m = JSON.parse(raw) as LoggedOp | ShortEntry;
  if (!('u' in m)) return m;
  return { pos: m.pos, userId: m.u, op: m.o, instance: m.i, token: m.t, ...(m.s ? { socket: m.s } : {}) };
}

/** One stream message (an op, `{"snap":pos}` or `{"dropped":true}`). */
function decodeMessage(raw: string): LogMessage {
  if (raw.startsWith('{"snap":')) return { kind: 'snapshot', pos: (JSON.parse(raw) as { snap: number }).snap };
  if (raw === '{"dropped":true}') return { kind: 'dropped' };
  return { kind: 'op', entry: decodeEntry(raw) };
}

/** An op's JSON without its position (the append script puts the position first). */
function encodeEntry(op: OpToLog): string {
  return JSON.stringify({
    userId: op.userId,
    op: op.op,
    instance: op.instance,
    token: op.token,
    ...(op.socket ? { socket: op.socket } : {}),
  });
}

/**
 * The board log in Redis: a list of ops after a snapshot, a counter giving out positions, and a pub/sub
 * channel carrying each op as it is logged (the scripts in `board-log-scripts.ts` do each step atomically).
 * Followers share one subscriber connection; when it comes back after a drop, they hear `resumed`.
 */
export class RedisBoardLog implements BoardLog, OnModuleDestroy {
  private readonly logger = new Logger('RedisBoardLog');
  private readonly listeners = new Map<string, Set<LogListener>>();
  private sub?: Redis;

  constructor(private readonly redis: Redis) {}

  async append(sessionId: string, known: number, ops: readonly OpToLog[]): Promise<AppendResult> {
    const k = boardKeys(sessionId);
    const args = ops.flatMap((op) => [op.teacher ? '1' : '0', op.userId, encodeEntry(op)]);
    const positions = (await this.redis.eval(
      APPEND,
      5,
      k.head,
      k.log,
      k.stream,
      k.permissions,
      k.history,
      String(known),
      ...args,
    )) as number[];
    return positions[0] === -1 ? { lost: true } : { lost: false, positions };
  }

  async load(sessionId: string): Promise<LoggedBoard> {
    const k = boardKeys(sessionId);
    const [snapshotPos, snapshot, log, known] = (await this.redis.eval(
      LOAD,
      4,
      k.snapshotPos,
      k.snapshot,
      k.log,
      k.head,
    )) as [number, string | false, string[], number];
    return {
      known: known === 1,
      snapshotPos,
      snapshot: snapshot ? (JSON.parse(snapshot) as BoardData) : null,
      ops: log.map(decodeEntry),
    };
  }

  async snapshot(sessionId: string, pos: number, board: BoardData): Promise<boolean> {
    const k = boardKeys(sessionId);
    return (
      (await this.redis.eval(
        SNAPSHOT,
        4,
        k.snapshotPos,
        k.snapshot,
        k.log,
        k.stream,
        String(pos),
        JSON.stringify(board),
      )) === 1
    );
  }

  async restore(sessionId: string, pos: number, board: BoardData): Promise<boolean> {
    const k = boardKeys(sessionId);
    return (
      (await this.redis.eval(
        RESTORE,
        4,
        k.head,
        k.snapshotPos,
        k.snapshot,
        k.log,
        String(pos),
        JSON.stringify(board),
      )) === 1
    );
  }

  async follow(sessionId: string, listener: LogListener): Promise<Unfollow> {
    const channel = boardKeys(sessionId).stream;
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    const stop = () => {
      const now = this.listeners.get(channel);
      if (!now?.delete(listener) || now.size) return;
      this.listeners.delete(channel);
      void this.sub?.unsubscribe(channel).catch(() => undefined);
    };
    try {
      await this.subscriber().subscribe(channel);
    } catch (e) {
      stop();
      throw e;
    }
    return stop;
  }

  /** One connection in subscriber mode for every board this log follows. */
  private subscriber(): Redis {
    if (this.sub) return this.sub;
    const sub = (this.sub = this.redis.duplicate());
    sub.on('error', (e) => this.logger.warn(`board stream: ${e.message}`));
    sub.on('message', (channel: string, raw: string) => {
      const set = this.listeners.get(channel);
      if (!set?.size) return;
      const m = decodeMessage(raw);
      // Each listener gets its own copy when there are several: a copy's board takes the op's objects as its own.
      let first = true;
      for (const l of set) {
        l(first ? m : decodeMessage(raw));
        first = false;
      }
    });
    // Messages published while the connection was down are lost: every follower hears so.
    let first = true;
    sub.on('ready', () => {
      if (first) return void (first = false);
      for (const set of this.listeners.values()) for (const l of set) l({ kind: 'resumed' });
    });
    return sub;
  }

  async permissions(sessionId: string): Promise<DrawPermissions> {
    const raw = await this.redis.get(boardKeys(sessionId).permissions);
    return raw ? (JSON.parse(raw) as DrawPermissions) : everyoneDraws();
  }

  async setPermissions(sessionId: string, p: DrawPermissions): Promise<void> {
    await this.redis.set(boardKeys(sessionId).permissions, JSON.stringify(p), 'EX', PERMISSIONS_TTL_S);
  }

  async history(sessionId: string, from: number, count: number): Promise<HistoryEntry[]> {
    const raw = await this.redis.lrange(boardKeys(sessionId).history, from, from + count - 1);
    return raw.map((r) => {
      const e = JSON.parse(r) as HistoryEntry;
      return { pos: e.pos, at: e.at, userId: e.userId, op: e.op };
    });
  }

  async drop(sessionId: string): Promise<void> {
    const k = boardKeys(sessionId);
    await this.redis.del(k.head, k.log, k.snapshot, k.snapshotPos, k.permissions, k.history);
    await this.redis.publish(k.stream, '{"dropped":true}');
  }

  onModuleDestroy(): void {
    this.close();
  }

  close(): void {
    this.listeners.clear();
    this.sub?.disconnect();
  }
}
