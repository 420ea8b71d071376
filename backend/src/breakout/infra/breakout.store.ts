import type Redis from 'ioredis';
import type { PlanRoom } from '../domain/assignment';

/** The split going on in a class: its rooms (in order), its timer and the plan it came from (for late joiners). */
export interface BreakoutRun {
  runId: string;
  rooms: Array<{ id: string; name: string }>;
  /** ms since the epoch, or null: no timer. */
  endsAt: number | null;
  plan: PlanRoom[] | null;
}

/** Redis outlives no class by more than this (a class is hours, not days). */
const TTL_S = 24 * 60 * 60;
const runKey = (sid: string) => `breakout:${sid}:run`;
/** Hash: student user id → room id. */
const placedKey = (sid: string) => `breakout:${sid}:placed`;
/** Set: the open rooms' ids (what the gate check asks). */
const roomsKey = (sid: string) => `breakout:${sid}:rooms`;
/** Hash: instructor user id → the room they visit. */
const visitorsKey = (sid: string) => `breakout:${sid}:visitors`;
/** Hash: student user id → their help request (JSON). */
const helpKey = (sid: string) => `breakout:${sid}:help`;

/**
 * The live state of a class's breakouts, in Redis so every instance sees the same and the timer's job
 * can close them from any instance. Opening is `SET NX` (one split at a time) and recalling is `GETDEL`
 * (exactly one caller closes a run), so two instructors or the timer and an instructor never both act.
 */
export class BreakoutStore {
  constructor(private readonly redis: Redis) {}

  async run(sid: string): Promise<BreakoutRun | null> {
    const raw = await this.redis.get(runKey(sid));
    return raw ? (JSON.parse(raw) as BreakoutRun) : null;
  }

  /** Starts a run unless one is going on (false then); places the students. */
  async open(sid: string, run: BreakoutRun, placed: ReadonlyArray<[userId: string, roomId: string]>): Promise<boolean> {
    const ok = await this.redis.set(runKey(sid), JSON.stringify(run), 'EX', TTL_S, 'NX');
    if (!ok) return false;
    const m = this.redis.multi().del(placedKey(sid), visitorsKey(sid), helpKey(sid));
    m.sadd(
      roomsKey(sid),
      run.rooms.map((r) => r.id),
    ).expire(roomsKey(sid), TTL_S);
    if (placed.length) m.hset(placedKey(sid), ...placed.flat()).expire(placedKey(sid), TTL_S);
    await m.exec();
    return true;
  }

  /** Rewrites the run (its timer) if it is still the same run; false when it ended meanwhile. */
  async update(sid: string, run: BreakoutRun): Promise<boolean> {
    const ok = await this.redis.eval(
      `local cur = redis.call('GET', KEYS[1])
       if not cur or cjson.decode(cur).runId ~= ARGV[1] then return 0 end
       redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
       return 1`,
      1,
      runKey(sid),
      run.runId,
      JSON.stringify(run),
    );
    return ok === 1;
  }

  /** Ends the run (only the caller that gets it back acts on it); `runId` set: only that run. */
  async take(sid: string, runId?: string): Promise<BreakoutRun | null> {
    const raw = (await this.redis.eval(
      `local cur = redis.call('GET', KEYS[1])
       if not cur then return false end
       if ARGV[1] ~= '' and cjson.decode(cur).runId ~= ARGV[1] then return false end
       redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
       return cur`,
      5,
      runKey(sid),
      placedKey(sid),
      roomsKey(sid),
      visitorsKey(sid),
      helpKey(sid),
      runId ?? '',
    )) as string | null;
    return raw ? (JSON.parse(raw) as BreakoutRun) : null;
  }

  async placements(sid: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(placedKey(sid))));
  }

  async placementOf(sid: string, userId: string): Promise<string | null> {
    return this.redis.hget(placedKey(sid), userId);
  }

  /**
   * Places a student in a room of the open run (a move or a late joiner); `null` takes them back to the
   * main room. False when the room is not one of the run's (closed, or never was).
   */
  async place(sid: string, userId: string, roomId: string | null, onlyIfUnplaced = false): Promise<boolean> {
    const res = await this.redis.eval(
      `if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end
       if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 then return 0 end
       if ARGV[3] == '1' then return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) end
       redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
       redis.call('EXPIRE', KEYS[1], ${TTL_S})
       return 1`,
      2,
      placedKey(sid),
      roomsKey(sid),
      userId,
      roomId ?? '',
      onlyIfUnplaced ? '1' : '0',
    );
    return res === 1;
  }

  /**
   * Whether a socket in `roomId` may still act there: the room is open and, for a student, still theirs.
   * One round trip (the gate asks it for every chat, board and media event sent from a breakout room).
   */
  async mayActIn(sid: string, roomId: string, userId: string, teacher: boolean): Promise<boolean> {
    const [[, open], [, placed]] = (await this.redis
      .multi()
      .sismember(roomsKey(sid), roomId)
      .hget(placedKey(sid), userId)
      .exec()) as [[null, number], [null, string | null]];
    return open === 1 && (teacher || placed === roomId);
  }

  async isOpen(sid: string, roomId: string): Promise<boolean> {
    return (await this.redis.sismember(roomsKey(sid), roomId)) === 1;
  }

  async setVisitor(sid: string, userId: string, roomId: string | null): Promise<void> {
    if (roomId === null) await this.redis.hdel(visitorsKey(sid), userId);
    else await this.redis.multi().hset(visitorsKey(sid), userId, roomId).expire(visitorsKey(sid), TTL_S).exec();
  }

  async visitors(sid: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(visitorsKey(sid))));
  }

  async askHelp(sid: string, userId: string, request: string): Promise<void> {
    await this.redis.multi().hset(helpKey(sid), userId, request).expire(helpKey(sid), TTL_S).exec();
  }

  async help(sid: string): Promise<string[]> {
    return Object.values(await this.redis.hgetall(helpKey(sid)));
  }

  /** Help requests of a room are answered when an instructor arrives there. */
  async answerHelp(sid: string, userIds: string[]): Promise<void> {
    if (userIds.length) await this.redis.hdel(helpKey(sid), ...userIds);
  }
}
