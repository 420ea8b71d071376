import type Redis from 'ioredis';
import type { QuizAnswer } from '../../contracts/quiz';

/** How long a quiz's live keys stay in Redis after their last write (its answers are in Postgres too). */
const TTL_SECONDS = 2 * 24 * 3600;

/** All keys of a quiz share a hash tag, so its scripts run on one Redis Cluster slot. */
const keys = (quizId: string) => ({
  meta: `quiz:{${quizId}}:meta`,
  who: `quiz:{${quizId}}:who`,
  present: `quiz:{${quizId}}:present`,
  answers: (questionId: string) => `quiz:{${quizId}}:a:${questionId}`,
  bars: (questionId: string) => `quiz:{${quizId}}:t:${questionId}`,
});

/**
 * One answer per respondent and question, counted once, atomically: refused when the quiz is closed
 * (or unknown here), refused when answered already unless changes are allowed; a change moves its
 * counts from the old bars to the new ones. Stored as `revision|respondent|json`.
 */
const ANSWER_SCRIPT = `
local meta, answers, bars, who = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local user, rid, payload, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local open = redis.call('HGET', meta, 'open')
if not open then return {'UNKNOWN'} end
if open ~= '1' then return {'CLOSED'} end
local rev, changed = 1, 0
local old = redis.call('HGET', answers, user)
if old then
  if redis.call('HGET', meta, 'allowChange') ~= '1' then return {'ALREADY'} end
  local p1 = string.find(old, '|', 1, true)
  local p2 = string.find(old, '|', p1 + 1, true)
  rev = tonumber(string.sub(old, 1, p1 - 1)) + 1
  rid = string.sub(old, p1 + 1, p2 - 1)
  for _, k in ipairs(cjson.decode(string.sub(old, p2 + 1)).keys) do
    if redis.call('HINCRBY', bars, k, -1) <= 0 then redis.call('HDEL', bars, k) end
  end
  changed = 1
end
for _, k in ipairs(cjson.decode(payload).keys) do redis.call('HINCRBY', bars, k, 1) end
redis.call('HSET', answers, user, rev .. '|' .. rid .. '|' .. payload)
redis.call('SADD', who, user)
for _, k in ipairs({answers, bars, who}) do redis.call('EXPIRE', k, ttl) end
return {'OK', rev, rid, changed}
`;

export interface LiveQuizMeta {
  sessionId: string;
  allowChange: boolean;
  launchedAtMs: number;
}

/** What Redis holds of one answer. */
export interface LiveAnswer {
  userId: string;
  respondent: string;
  revision: number;
  answer: QuizAnswer;
  answeredAtMs: number;
}

export type AnswerOutcome =
  { kind: 'ok'; revision: number; respondent: string; changed: boolean } | { kind: 'closed' | 'already' | 'unknown' };

type Payload = { keys: string[]; at: number; answer: QuizAnswer };

function parseStored(userId: string, raw: string): LiveAnswer {
  const p1 = raw.indexOf('|');
  const p2 = raw.indexOf('|', p1 + 1);
  const payload = JSON.parse(raw.slice(p2 + 1)) as Payload;
  return {
    userId,
    revision: Number(raw.slice(0, p1)),
    respondent: raw.slice(p1 + 1, p2),
    answer: payload.answer,
    answeredAtMs: payload.at,
  };
}

/** The live state of quizzes in Redis: open or closed, answers, chart counts, who answered, who was present. */
export class LiveQuizStore {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('quizAnswer', { numberOfKeys: 4, lua: ANSWER_SCRIPT });
  }

  async open(quizId: string, meta: LiveQuizMeta, present: readonly string[]): Promise<void> {
    const k = keys(quizId);
    const m = this.redis.multi().hset(k.meta, {
      open: '1',
      allowChange: meta.allowChange ? '1' : '0',
      sessionId: meta.sessionId,
      launchedAt: String(meta.launchedAtMs),
    });
    m.expire(k.meta, TTL_SECONDS);
    if (present.length) m.sadd(k.present, ...present).expire(k.present, TTL_SECONDS);
    await m.exec();
  }

  /** Marks it closed (answers stop at once); true when this call closed it. */
  async close(quizId: string): Promise<boolean> {
    const k = keys(quizId);
    const [[, previous]] = (await this.redis
      .multi()
      .hget(k.meta, 'open')
      .hset(k.meta, 'open', '0')
      .expire(k.meta, TTL_SECONDS)
      .exec()) as [[Error | null, string | null]];
    return previous === '1';
  }

  async answer(
    quizId: string,
    questionId: string,
    userId: string,
    candidateRespondent: string,
    answer: QuizAnswer,
    barKeys: string[],
    atMs: number,
  ): Promise<AnswerOutcome> {
    const k = keys(quizId);
    const payload: Payload = { keys: barKeys, at: atMs, answer };
    const r = (await (this.redis as unknown as { quizAnswer(...a: unknown[]): Promise<unknown[]> }).quizAnswer(
      k.meta,
      k.answers(questionId),
      k.bars(questionId),
      k.who,
      userId,
      candidateRespondent,
      JSON.stringify(payload),
      TTL_SECONDS,
    )) as [string, number?, string?, number?];
    if (r[0] === 'OK')
      return { kind: 'ok', revision: Number(r[1]), respondent: String(r[2]), changed: Number(r[3]) === 1 };
    return { kind: r[0] === 'CLOSED' ? 'closed' : r[0] === 'ALREADY' ? 'already' : 'unknown' };
  }

  async addPresent(quizId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length)
      await this.redis
        .multi()
        .sadd(keys(quizId).present, ...userIds)
        .expire(keys(quizId).present, TTL_SECONDS)
        .exec();
  }

  async present(quizId: string): Promise<string[]> {
    return this.redis.smembers(keys(quizId).present);
  }

  /** Per question: its bar counts and how many answered it; how many answered anything; whether it is open here. */
  async counts(
    quizId: string,
    questionIds: readonly string[],
  ): Promise<{
    open: boolean;
    answered: number;
    questions: Map<string, { bars: Map<string, number>; answered: number }>;
  }> {
    const k = keys(quizId);
    const m = this.redis.multi().scard(k.who);
    for (const q of questionIds) m.hgetall(k.bars(q)).hlen(k.answers(q));
    m.hget(k.meta, 'open');
    const res = ((await m.exec()) ?? []).map(([, v]) => v);
    const open = res.at(-1) === '1';
    const questions = new Map<string, { bars: Map<string, number>; answered: number }>();
    questionIds.forEach((q, i) => {
      const raw = (res[1 + 2 * i] ?? {}) as Record<string, string>;
      // Bar keys come from answers (client data): read into a Map, never used as object keys.
      const bars = new Map<string, number>();
      for (const key of Object.keys(raw)) bars.set(key, Number(raw[key]));
      questions.set(q, { bars, answered: Number(res[2 + 2 * i] ?? 0) });
    });
    return { open, answered: Number(res[0] ?? 0), questions };
  }

  /**
   * Deletes who answered what (answers by student, the set of who answered) once an anonymous poll is
   * closed and stored: only the counts of its bars stay. The quiz stays closed (its meta stays).
   */
  async forgetRespondents(quizId: string, questionIds: readonly string[]): Promise<void> {
    const k = keys(quizId);
    await this.redis.del(k.who, ...questionIds.map((q) => k.answers(q)));
  }

  /** Every answer of the quiz (for Postgres at close). */
  async answers(quizId: string, questionIds: readonly string[]): Promise<Map<string, LiveAnswer[]>> {
    const k = keys(quizId);
    const m = this.redis.multi();
    for (const q of questionIds) m.hgetall(k.answers(q));
    const res = ((await m.exec()) ?? []).map(([, v]) => (v ?? {}) as Record<string, string>);
    return new Map(
      questionIds.map((q, i) => [q, Object.keys(res[i]).map((userId) => parseStored(userId, res[i][userId]))]),
    );
  }

  /** One person's answers (a student's own view after a reconnect). */
  async answersOf(quizId: string, questionIds: readonly string[], userId: string): Promise<Map<string, LiveAnswer>> {
    const k = keys(quizId);
    const m = this.redis.multi();
    for (const q of questionIds) m.hget(k.answers(q), userId);
    const res = ((await m.exec()) ?? []).map(([, v]) => v as string | null);
    const mine = new Map<string, LiveAnswer>();
    questionIds.forEach((q, i) => {
      if (res[i]) mine.set(q, parseStored(userId, res[i]!));
    });
    return mine;
  }
}
