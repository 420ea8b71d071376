import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { BoardOp, DrawPermissions } from '../contracts/whiteboard';
import { DomainError, ForbiddenError } from '../platform/domain-error';
import { REDIS } from '../platform/redis';
import { Applied, applyOp, Board, BoardData, boardFromData, BoardError, boardToData, Effect, emptyBoard, PageData, pagesToData } from './domain/board';

/** One applied op, as a catching-up client receives it. */
export interface LogEntry {
  seq: number;
  userId: string;
  op: BoardOp;
  effects: Effect[];
}

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

/** An op as the board's stream carries it: its position in the log and who sent it from where. */
interface StreamEntry {
  pos: number;
  u: string;
  o: BoardOp;
  /** The sending instance and the token its waiting caller is known by. */
  i: string;
  t: string;
  s?: string;
}

/** A snapshot is written at every multiple of this log position (by the instance whose entry it is). */
const SNAPSHOT_EVERY = 200;
/** Ops sent to the log in one script call at most. */
const MAX_BATCH = 64;
/** A caller waits this long for its op to come back on the stream before the board is reloaded from the log. */
const STREAM_WAIT_MS = 3000;
/** A client that has seen more than this instance's copy waits at most this long for the copy to catch up. */
const CATCH_UP_MS = 1000;
/** A board nobody on this instance uses is forgotten after this long. */
const IDLE_MS = 60_000;

const keys = (sid: string) => ({
  head: `wb:${sid}:head`,
  log: `wb:${sid}:log`,
  snapshot: `wb:${sid}:snapshot`,
  snapshotPos: `wb:${sid}:snapshot-pos`,
  permissions: `wb:${sid}:permissions`,
  stream: `wb:${sid}:stream`,
});
const sessionOfStream = (channel: string) => /^wb:(.+):stream$/.exec(channel)?.[1];

/**
 * KEYS: head, log, stream, permissions. ARGV: the last position the caller's copy has, then for each
 * entry: '1' if its sender teaches (always may draw) else '0', the sender's id, the entry as a JSON
 * object without its position. Gives each entry the sender may draw the next position, appends it to
 * the log and publishes it on the board's stream, in one step: the log and the stream have one order,
 * and who may draw is checked in that order (a student's op logged after the teacher said "nobody" is
 * refused everywhere). Returns each entry's position (0: not allowed to draw), or {-1} when Redis has
 * lost the board the caller's copy holds (it puts its copy back first).
 */
const APPEND = `
if tonumber(ARGV[1]) > 0 and redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local mode = 'everyone'
local named = {}
local perm = redis.call('GET', KEYS[4])
if perm then
  local p = cjson.decode(perm)
  mode = p.mode
  for _, id in ipairs(p.userIds or {}) do named[id] = true end
end
local out = {}
for i = 2, #ARGV, 3 do
  if ARGV[i] ~= '1' and (mode == 'nobody' or (mode == 'named' and not named[ARGV[i + 1]])) then
    out[#out + 1] = 0
  else
    local pos = redis.call('INCR', KEYS[1])
    local entry = '{"pos":' .. pos .. ',' .. string.sub(ARGV[i + 2], 2)
    redis.call('RPUSH', KEYS[2], entry)
    redis.call('PUBLISH', KEYS[3], entry)
    out[#out + 1] = pos
  end
end
return out`;

/**
 * KEYS: snapshot-pos, snapshot, log, head. Returns {snapshot position, snapshot or false, the log since,
 * whether Redis has the board at all (0 or 1)}.
 */
const LOAD = `
local known = redis.call('EXISTS', KEYS[4], KEYS[2], KEYS[3])
return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('GET', KEYS[2]), redis.call('LRANGE', KEYS[3], 0, -1), known > 0 and 1 or 0}`;
type Loaded = [number, string | false, string[], number];

/**
 * KEYS: snapshot-pos, snapshot, log, stream. ARGV: the position the snapshot is at, its JSON. Replaces
 * the snapshot and drops the log entries it includes, unless a newer one is there; tells the stream.
 */
const SNAPSHOT = `
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
local pos = tonumber(ARGV[1])
if pos <= old then return 0 end
redis.call('LTRIM', KEYS[3], pos - old, -1)
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], pos)
redis.call('PUBLISH', KEYS[4], '{"snap":' .. pos .. '}')
return 1`;

/**
 * KEYS: head, snapshot-pos, snapshot, log. ARGV: a position and a board's JSON. Makes that board the
 * snapshot at that position when Redis has lost the board (no position given out): a live copy put back,
 * or (at position 0) the last save of a board no instance has. The first one in wins; returns 1 if it did.
 */
const RESTORE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2])
redis.call('DEL', KEYS[4])
return 1`;

interface Waiter {
  resolve: (a: Applied) => void;
  reject: (e: unknown) => void;
}

/** This instance's copy of one board: brought up to date from the board's stream, never the owner of anything. */
interface Follower {
  sid: string;
  board: Board;
  /** The last log position applied. */
  pos: number;
  snapshotPos: number;
  /** The entries applied since the last snapshot, for clients catching up. */
  recent: Array<LogEntry & { pos: number }>;
  /** Stream messages that arrived while the board was (re)loading. */
  buffered: string[] | null;
  loading: boolean;
  ready: Promise<void>;
  /** Highest position whose effects went out to this instance's sockets. */
  emitted: number;
  /** Local interest: sockets of this class on this instance, or a recent call (`lastUsed`). */
  rooms: number;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
  /** Callers waiting for the copy to reach a sequence number (a client that is ahead of this instance). */
  catchUp: Array<{ seq: number; done: () => void }>;
}

interface Pending {
  userId: string;
  /** Teaches the class: may draw whatever the drawing permissions say. */
  teacher: boolean;
  op: BoardOp;
  origin?: string;
  waiter: Waiter;
}

/**
 * The boards of live classes, in Redis: an op log with a periodic snapshot, and a pub/sub stream that
 * carries each op as it is logged. Redis orders the ops (one script gives each the next position, logs
 * it and publishes it); every instance that has someone in the class follows the stream and applies the
 * ops to its own copy in that order. Ops are deterministic, so every copy is the same board, and each
 * instance sends the effects to its own sockets. An op costs one Redis round trip and holds no lock, so
 * a slow or paused instance never holds up another. See PROTOCOL.md.
 */
@Injectable()
export class BoardStore implements OnModuleDestroy {
  private readonly logger = new Logger('BoardStore');
  private readonly instance = crypto.randomUUID();
  private readonly followers = new Map<string, Follower>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly queues = new Map<string, Pending[]>();
  private readonly sending = new Set<string>();
  private sub?: Redis;
  private closed = false;
  /** Where a board Redis has nothing of comes from (its last save in Postgres), if anywhere. */
  seed?: (sessionId: string) => Promise<Board | null>;
  /** Called for every op applied, on every instance that follows its board: the gateway sends the effects to its sockets. */
  onApplied?: (sessionId: string, entry: AppliedEntry, board: BoardView) => void;

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  onModuleDestroy(): void {
    this.close();
  }

  close(): void {
    this.closed = true;
    for (const f of this.followers.values()) clearTimeout(f.idleTimer);
    this.followers.clear();
    this.sub?.disconnect();
  }

  /**
   * Applies one op: it is logged (with the ops that reach this instance meanwhile, in one script call),
   * and the answer comes when this instance's copy applies it in stream order: its sequence number
   * and effects, or the refusal's code. A refused op takes no sequence number and changes nothing.
   */
  async apply(sessionId: string, userId: string, op: BoardOp, opts: { origin?: string; teacher?: boolean } = {}): Promise<Applied> {
    await this.follow(sessionId);
    return new Promise<Applied>((resolve, reject) => {
      const queue = this.queues.get(sessionId) ?? [];
      queue.push({ userId, teacher: opts.teacher ?? false, op, origin: opts.origin, waiter: { resolve, reject } });
      this.queues.set(sessionId, queue);
      if (!this.sending.has(sessionId)) void this.send(sessionId);
    });
  }

  private async send(sessionId: string): Promise<void> {
    this.sending.add(sessionId);
    const k = keys(sessionId);
    try {
      for (;;) {
        const queue = this.queues.get(sessionId);
        if (!queue?.length) break;
        const batch = queue.splice(0, MAX_BATCH);
        const bodies = batch.map((p) => {
          const t = crypto.randomUUID();
          this.waitFor(sessionId, t, p.waiter);
          const entry: Omit<StreamEntry, 'pos'> = { u: p.userId, o: p.op, i: this.instance, t, ...(p.origin ? { s: p.origin } : {}) };
          return { t, args: [p.teacher ? '1' : '0', p.userId, JSON.stringify(entry)] };
        });
        try {
          for (let attempt = 0; ; attempt++) {
            const f = this.followers.get(sessionId);
            const positions = (await this.redis.eval(APPEND, 4, k.head, k.log, k.stream, k.permissions, String(f?.pos ?? 0), ...bodies.flatMap((b) => b.args))) as number[];
            if (positions[0] !== -1) {
              positions.forEach((pos, i) => {
                if (pos === 0) this.settle(bodies[i].t)?.reject(new ForbiddenError('DRAWING_NOT_ALLOWED', 'The instructor has not let you draw'));
              });
              break;
            }
            // Redis lost the board (restarted without its data): this copy is the board; put it back, then log.
            if (!f || attempt > 2) throw new DomainError('BOARD_BUSY', 'The board is being restored; try again', 503);
            if (await this.restore(sessionId, f.pos, f.board)) {
              this.logger.warn(`board ${sessionId} was missing from Redis: restored from this instance's copy at position ${f.pos}`);
            }
          }
        } catch (e) {
          for (const b of bodies) this.settle(b.t)?.reject(e);
        }
      }
    } finally {
      this.sending.delete(sessionId);
      if (!this.queues.get(sessionId)?.length) this.queues.delete(sessionId);
    }
  }

  /** Registers a caller until its op comes back on the stream; reloads the board from the log if it does not. */
  private waitFor(sessionId: string, token: string, waiter: Waiter): void {
    const timer = setTimeout(() => {
      if (!this.waiters.has(token)) return;
      // The stream lost it (a dropped subscription): the log has it. Reload, then give up if still missing.
      void this.reload(sessionId)
        .catch(() => undefined)
        .then(() => this.settle(token)?.reject(new DomainError('BOARD_BUSY', 'The board is busy; try again', 503)));
    }, STREAM_WAIT_MS);
    timer.unref();
    this.waiters.set(token, {
      resolve: (a) => (clearTimeout(timer), waiter.resolve(a)),
      reject: (e) => (clearTimeout(timer), waiter.reject(e)),
    });
  }

  private settle(token: string): Waiter | undefined {
    const w = this.waiters.get(token);
    this.waiters.delete(token);
    return w;
  }

  /**
   * Makes sure this instance follows the board (subscribed to its stream, copy loaded) and keeps it
   * while there is local interest. Called when a socket of the class is first on this instance, and by
   * every read or op.
   */
  follow(sessionId: string, room = false): Promise<void> {
    if (this.closed) return Promise.reject(new DomainError('BOARD_UNAVAILABLE', 'The server is shutting down', 503));
    let f = this.followers.get(sessionId);
    if (!f) {
      f = { sid: sessionId, board: emptyBoard(), pos: 0, snapshotPos: 0, recent: [], buffered: [], loading: true, ready: Promise.resolve(), emitted: 0, rooms: 0, lastUsed: Date.now(), catchUp: [] };
      this.followers.set(sessionId, f);
      const started = f;
      f.ready = this.subscribe(sessionId)
        .then(() => this.load(started))
        .catch((e) => {
          if (this.followers.get(sessionId) === started) this.followers.delete(sessionId);
          throw e;
        });
    }
    if (room) f.rooms++;
    this.touch(f);
    return f.ready;
  }

  /** A class's last socket left this instance: forget its board after a while unless it comes back. */
  unfollow(sessionId: string): void {
    const f = this.followers.get(sessionId);
    if (!f) return;
    f.rooms = Math.max(0, f.rooms - 1);
    this.touch(f);
  }

  /** Marks the board used; one timer per board (not per op) forgets it once idle and without sockets here. */
  private touch(f: Follower): void {
    f.lastUsed = Date.now();
    if (f.idleTimer) return;
    const check = () => {
      const idle = Date.now() - f.lastUsed;
      if (f.rooms === 0 && idle >= IDLE_MS) return this.forget(f);
      f.idleTimer = setTimeout(check, Math.max(1000, IDLE_MS - idle));
      f.idleTimer.unref();
    };
    f.idleTimer = setTimeout(check, IDLE_MS);
    f.idleTimer.unref();
  }

  private async subscribe(sessionId: string): Promise<void> {
    if (!this.sub) {
      this.sub = this.redis.duplicate();
      this.sub.on('error', (e) => this.logger.warn(`board stream: ${e.message}`));
      this.sub.on('message', (channel: string, raw: string) => {
        const sid = sessionOfStream(channel);
        const f = sid && this.followers.get(sid);
        if (f) this.receive(f, raw);
      });
      // Messages published while the connection was down are lost: reload every board from its log.
      let first = true;
      this.sub.on('ready', () => {
        if (first) return void (first = false);
        for (const sid of this.followers.keys()) void this.reload(sid).catch((e) => this.logger.warn(`reloading board ${sid}: ${(e as Error).message}`));
      });
    }
    await this.sub.subscribe(keys(sessionId).stream);
  }

  /**
   * Loads the board from its snapshot and log (subscribed first, so that nothing falls between the two).
   * What the log holds goes to this instance's sockets, except what a reload finds already sent: a
   * socket whose join started the follow may have missed an op logged meanwhile (clients ignore what
   * they have).
   */
  private async load(f: Follower): Promise<void> {
    const k = keys(f.sid);
    const read = async () => (await this.redis.eval(LOAD, 4, k.snapshotPos, k.snapshot, k.log, k.head)) as Loaded;
    let [snapshotPos, snapshot, log, known] = await read();
    if (!known) {
      // Redis has nothing of this board. A live copy here is the board: put it back and keep it. Else its
      // last save in Postgres, if the class had one, is where it starts again.
      if (f.pos > 0 && (await this.restore(f.sid, f.pos, f.board))) {
        this.logger.warn(`board ${f.sid} was missing from Redis: restored from this instance's copy at position ${f.pos}`);
        f.snapshotPos = f.pos;
        f.recent = [];
        return this.loaded(f);
      }
      if (f.pos > 0 || (await this.seeded(f.sid))) [snapshotPos, snapshot, log] = await read();
    }
    const previous = f.pos;
    // Read through boardFromData: own keys only, reserved ids a board saved by an older server may hold left out.
    f.board = snapshot ? boardFromData(JSON.parse(snapshot) as BoardData) : emptyBoard();
    f.pos = snapshotPos;
    f.snapshotPos = snapshotPos;
    f.recent = [];
    // Effects already sent to this instance's sockets are not sent again.
    f.emitted = Math.max(f.emitted, previous);
    for (const raw of log) this.applyEntry(f, JSON.parse(raw) as StreamEntry);
    this.loaded(f);
  }

  /** The copy is loaded: the stream messages that came meanwhile are applied (those the log had are skipped). */
  private loaded(f: Follower): void {
    const buffered = f.buffered ?? [];
    f.buffered = null;
    f.loading = false;
    for (const raw of buffered) this.receive(f, raw, true);
  }

  /** Puts a saved board in Redis as the starting point of a board Redis has nothing of; true if there was one. */
  private async seeded(sessionId: string): Promise<boolean> {
    const saved = await this.seed?.(sessionId);
    if (!saved) return false;
    await this.restore(sessionId, 0, saved);
    return true;
  }

  /** RESTORE: the board at `pos` becomes Redis's board if Redis has none; true if this call put it there. */
  private async restore(sessionId: string, pos: number, board: Board): Promise<boolean> {
    const k = keys(sessionId);
    return (await this.redis.eval(RESTORE, 4, k.head, k.snapshotPos, k.snapshot, k.log, String(pos), JSON.stringify(boardToData(board)))) === 1;
  }

  /** Brings a board back in step with its log (after a gap in the stream). */
  private reload(sessionId: string): Promise<void> {
    const f = this.followers.get(sessionId);
    if (!f) return Promise.resolve();
    if (f.loading) return f.ready;
    f.loading = true;
    f.buffered ??= [];
    f.ready = this.load(f).catch((e) => {
      if (this.followers.get(sessionId) === f) this.followers.delete(sessionId);
      throw e;
    });
    return f.ready;
  }

  /** One stream message; `replay`: one that arrived during a load (those the log had are skipped). */
  private receive(f: Follower, raw: string, replay = false): void {
    if (f.buffered) return void f.buffered.push(raw);
    const m = JSON.parse(raw) as StreamEntry | { snap: number } | { dropped: true };
    if ('dropped' in m) return this.forget(f);
    if ('snap' in m) return this.snapshotTaken(f, m.snap);
    if (m.pos <= f.pos) {
      // Positions went back: Redis lost the board and someone started it again. Take what Redis has now.
      if (!replay && m.pos < f.pos) {
        f.buffered = [];
        f.pos = 0;
        f.emitted = 0;
        void this.reload(f.sid).catch((e) => this.logger.warn(`reloading board ${f.sid}: ${(e as Error).message}`));
      }
      return;
    }
    if (m.pos !== f.pos + 1) {
      // A gap: some messages were lost. The log has them.
      f.buffered = [raw];
      void this.reload(f.sid).catch((e) => this.logger.warn(`reloading board ${f.sid}: ${(e as Error).message}`));
      return;
    }
    this.applyEntry(f, m);
  }

  private snapshotTaken(f: Follower, pos: number): void {
    if (pos <= f.snapshotPos) return;
    f.snapshotPos = pos;
    f.recent = f.recent.filter((e) => e.pos > pos);
  }

  /** Applies the entry at the next position: answers its sender if it waits here, sends the effects out. */
  private applyEntry(f: Follower, m: StreamEntry): void {
    if (m.pos !== f.pos + 1) throw new Error(`board ${f.sid}: entry ${m.pos} after ${f.pos}`);
    f.pos = m.pos;
    const waiter = m.i === this.instance ? this.settle(m.t) : undefined;
    let applied: Applied;
    try {
      applied = applyOp(f.board, m.u, m.o);
    } catch (e) {
      // Refused where it stands in the order (every copy refuses it alike): it changes nothing.
      waiter?.reject(e instanceof BoardError ? new DomainError(e.code, e.message, 409) : e);
      return;
    }
    waiter?.resolve(applied);
    if (applied.duplicate) return;
    if (f.catchUp.length) {
      const reached = f.catchUp.filter((w) => w.seq <= applied.seq);
      f.catchUp = f.catchUp.filter((w) => w.seq > applied.seq);
      for (const w of reached) w.done();
    }
    const entry: AppliedEntry = { seq: applied.seq, userId: m.u, op: m.o, effects: applied.effects, ...(m.s ? { origin: m.s } : {}) };
    f.recent.push({ seq: entry.seq, userId: entry.userId, op: entry.op, effects: entry.effects, pos: m.pos });
    if (f.recent.length > 4 * SNAPSHOT_EVERY) f.recent.shift();
    if (m.pos > f.emitted) {
      f.emitted = m.pos;
      try {
        this.onApplied?.(f.sid, entry, viewOf(f.board));
      } catch (e) {
        this.logger.warn(`sending board effects: ${(e as Error).message}`);
      }
    }
    // Every SNAPSHOT_EVERY positions, the instance whose op it is writes the snapshot (one writer, no race).
    if (m.i === this.instance && m.pos % SNAPSHOT_EVERY === 0) {
      const k = keys(f.sid);
      const at = m.pos;
      void this.redis.eval(SNAPSHOT, 4, k.snapshotPos, k.snapshot, k.log, k.stream, String(at), JSON.stringify(boardToData(f.board))).catch((e) => this.logger.warn(`board snapshot: ${(e as Error).message}`));
    }
  }

  /** What a client needs to catch up from `since`: the entries after it, or the pages when it is too far behind. */
  async since(sessionId: string, since: number): Promise<{ seq: number; pages?: { order: string[]; pages: Record<string, PageData> }; entries: LogEntry[] }> {
    await this.follow(sessionId);
    const f = this.followers.get(sessionId)!;
    // A client coming over from another instance may have seen ops this copy has not applied yet (a
    // message behind): wait for them rather than answer with the whole board.
    if (since > f.board.seq) await this.reach(f, since);
    const seq = f.board.seq;
    const entries = f.recent.filter((e) => e.seq > since).map(({ seq, userId, op, effects }) => ({ seq, userId, op, effects }));
    // Complete when it starts right after `since` (or nothing happened since).
    if (seq === since || entries[0]?.seq === since + 1) return { seq, entries };
    return { seq, pages: { order: f.board.pageOrder, pages: pagesToData(f.board) }, entries: [] };
  }

  private reach(f: Follower, seq: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const w = { seq, done: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        f.catchUp = f.catchUp.filter((x) => x !== w);
        resolve();
      }, CATCH_UP_MS);
      timer.unref();
      f.catchUp.push(w);
    });
  }

  /**
   * The board as its log has it now (pages only), e.g. to persist it at the end of class: read from
   * Redis (a copy following the stream may be a message behind).
   */
  async pages(sessionId: string): Promise<{ seq: number; order: string[]; pages: Record<string, PageData> }> {
    const k = keys(sessionId);
    const [, snapshot, log] = (await this.redis.eval(LOAD, 4, k.snapshotPos, k.snapshot, k.log, k.head)) as Loaded;
    const board = snapshot ? boardFromData(JSON.parse(snapshot) as BoardData) : emptyBoard();
    for (const raw of log) {
      const m = JSON.parse(raw) as StreamEntry;
      try {
        applyOp(board, m.u, m.o);
      } catch {
        /* refused in its place, as on every copy */
      }
    }
    return { seq: board.seq, order: board.pageOrder, pages: pagesToData(board) };
  }

  /** Who may draw (read for a catch-up answer; ops are checked by APPEND, in the board's order). */
  async permissions(sessionId: string): Promise<DrawPermissions> {
    const raw = await this.redis.get(keys(sessionId).permissions);
    return raw ? (JSON.parse(raw) as DrawPermissions) : { mode: 'everyone', userIds: [] };
  }

  async setPermissions(sessionId: string, p: DrawPermissions): Promise<void> {
    await this.redis.set(keys(sessionId).permissions, JSON.stringify(p), 'EX', 7 * 86400);
  }

  /** The class is over and its board saved: it leaves Redis, and every instance forgets its copy (none puts it back). */
  async drop(sessionId: string): Promise<void> {
    const k = keys(sessionId);
    const f = this.followers.get(sessionId);
    if (f) this.forget(f);
    await this.redis.del(k.head, k.log, k.snapshot, k.snapshotPos, k.permissions);
    await this.redis.publish(k.stream, '{"dropped":true}');
  }

  private forget(f: Follower): void {
    clearTimeout(f.idleTimer);
    if (this.followers.get(f.sid) !== f) return;
    this.followers.delete(f.sid);
    void this.sub?.unsubscribe(keys(f.sid).stream).catch(() => undefined);
  }
}
