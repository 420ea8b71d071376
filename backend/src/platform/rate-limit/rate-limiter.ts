import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '../../config/config';
import { DomainError } from '../domain-error';
import type { SocketEventCheck } from '../socket-events';
import { APP_CONFIG } from '../../config/config';
import { REDIS } from '../redis';
import {
  bucketKey,
  clientAddressKey,
  MEDIA_PEERS_PER_USER,
  RateRule,
  RateRuleName,
  resolveRules,
  socketCharges,
} from './rules';

export interface TakeResult {
  ok: boolean;
  /** When refused: how long until the same request would pass (0 when it passed). */
  retryAfterMs: number;
}

export interface Charge {
  key: string;
  rule: RateRule;
  cost: number;
}

/** A refusal by a rate limit: an ack `RATE_LIMITED` on a socket, a 429 with Retry-After over HTTP. */
export class RateLimitedError extends DomainError {
  constructor(public readonly retryAfterMs: number) {
    super(
      'RATE_LIMITED',
      `Too many requests: try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s (retryAfterMs=${retryAfterMs})`,
      429,
    );
  }
}

/**
 * Token buckets in Redis, one script per check (one round trip), so every instance draws from the same
 * buckets. Several buckets are charged all or nothing: an op refused by its board's byte budget does not
 * use up its sender's op count. Time is Redis's clock (TIME), not each instance's.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local level = {}
local wait = 0
for i = 1, #KEYS do
  local cap, per, cost = tonumber(ARGV[i * 3 - 2]), tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
  local s = redis.call('HMGET', KEYS[i], 'level', 'at')
  local l, at = tonumber(s[1]), tonumber(s[2])
  if l == nil or at == nil then l = cap; at = now end
  l = math.min(cap, l + math.max(0, now - at) * cap / per)
  level[i] = l
  if cost > cap then
    wait = math.max(wait, per)
  elseif cost > l then
    wait = math.max(wait, math.ceil((cost - l) * per / cap))
  end
end
if wait > 0 then return {0, wait} end
for i = 1, #KEYS do
  local cap, per, cost = tonumber(ARGV[i * 3 - 2]), tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
  local l = level[i] - cost
  redis.call('HSET', KEYS[i], 'level', tostring(l), 'at', now)
  redis.call('PEXPIRE', KEYS[i], math.ceil((cap - l) * per / cap) + 1000)
end
return {1, 0}
`;

/** A claim on one of a few slots (a user's media peers): refused when max other unexpired claims exist. */
const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;

type ScriptedRedis = Redis & {
  lecternRateTake(numKeys: number, ...args: (string | number)[]): Promise<[number, number]>;
  lecternSlotClaim(key: string, member: string, max: number, leaseMs: number): Promise<number>;
};

@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly redis: ScriptedRedis;
  private readonly rules: ReadonlyMap<RateRuleName, RateRule>;
  private readonly prefix: string;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    redis.defineCommand('lecternRateTake', { lua: TAKE });
    redis.defineCommand('lecternSlotClaim', { lua: CLAIM, numberOfKeys: 1 });
    this.redis = redis as ScriptedRedis;
    this.rules = resolveRules(config.rateLimits);
    this.prefix = config.queuePrefix;
  }

  /** The rule in force under a name (defaults, scaled, overridden by configuration). */
  rule(name: RateRuleName): RateRule {
    return this.rules.get(name)!;
  }

  /** Takes `cost` tokens from the bucket `key` under `rule`, or refuses and says how long to wait. */
  take(key: string, rule: RateRule, cost = 1): Promise<TakeResult> {
    return this.takeAll([{ key, rule, cost }]);
  }

  /** Takes from every bucket or from none. */
  async takeAll(charges: readonly Charge[]): Promise<TakeResult> {
    if (!charges.length) return { ok: true, retryAfterMs: 0 };
    const args: (string | number)[] = charges.map((c) => c.key);
    for (const c of charges) {
      if (!(c.rule.points >= 1 && c.rule.perMs >= 1 && c.cost >= 0)) throw new Error(`bad rate charge for ${c.key}`);
      args.push(c.rule.points, c.rule.perMs, c.cost);
    }
    const [ok, wait] = await this.redis.lecternRateTake(charges.length, ...args);
    return { ok: ok === 1, retryAfterMs: ok === 1 ? 0 : wait };
  }

  /**
   * The socket gate's check, before a handler runs: throws RateLimitedError (code RATE_LIMITED, 429)
   * when the user (and for `wb:op`, the board's byte budget) is over its rule. `userKey` names the
   * person (their user id); `boardKey` the board (its class id); `bytes` the payload's serialised size.
   */
  async limitSocketEvent(event: string, userKey: string, boardKey?: string, bytes?: number): Promise<void> {
    const charges = socketCharges(this.prefix, event, userKey, boardKey, bytes).map((c) => ({
      key: c.key,
      rule: this.rule(c.rule),
      cost: c.cost,
    }));
    const result = await this.failOpen(() => this.takeAll(charges), event);
    if (!result.ok) throw new RateLimitedError(result.retryAfterMs);
  }

  /** An HTTP request from `ip` under `rule` (keyed by address; IPv6 by /64). */
  limitHttp(rule: RateRuleName, ip: string | undefined): Promise<TakeResult> {
    return this.failOpen(
      () => this.take(bucketKey(this.prefix, rule, 'ip', clientAddressKey(ip ?? '')), this.rule(rule)),
      rule,
    );
  }

  /**
   * Claims one of the user's media peer slots for `peerId` (again: renews it); throws MEDIA_PEER_LIMIT
   * when the user already holds `max` other live peers. A claim lapses after `leaseMs` unrenewed, so a
   * crashed instance's peers free their slots by themselves: a lapse only ever lets a peer more in.
   */
  async acquireMediaPeer(
    userKey: string,
    peerId: string,
    cap: { max: number; leaseMs: number } = MEDIA_PEERS_PER_USER,
  ): Promise<void> {
    const claimed = await this.failOpen(
      async () => ({
        ok: (await this.redis.lecternSlotClaim(this.mediaPeersKey(userKey), peerId, cap.max, cap.leaseMs)) === 1,
        retryAfterMs: 0,
      }),
      'media peers',
    );
    if (!claimed.ok)
      throw new DomainError(
        'MEDIA_PEER_LIMIT',
        `You already have media open in ${cap.max} places: close one first`,
        429,
      );
  }

  /** Frees the slot of a peer that closed. */
  async releaseMediaPeer(userKey: string, peerId: string): Promise<void> {
    await this.redis
      .zrem(this.mediaPeersKey(userKey), peerId)
      .catch((e: Error) => this.logger.warn(`media peer release: ${e.message}`));
  }

  private mediaPeersKey(userKey: string): string {
    return `${this.prefix}:rl:media.peers:user:${userKey}`;
  }

  /**
   * Redis unreachable: the request goes through (and is logged). Every other part of a class needs Redis
   * too, so a limiter that refused everything would only add a second outage to the first.
   */
  private async failOpen(check: () => Promise<TakeResult>, what: string): Promise<TakeResult> {
    try {
      return await check();
    } catch (e) {
      this.logger.warn(`rate limit ${what} not checked: ${(e as Error).message}`);
      return { ok: true, retryAfterMs: 0 };
    }
  }
}

/**
 * The socket gate's rate limit check (`gate.addCheck(socketRateLimitCheck(limiter))`): every event is
 * charged to its sender (their user id); a whiteboard op's bytes also to its class's board.
 */
export function socketRateLimitCheck(limiter: RateLimiter): SocketEventCheck {
  return (event, session, member, bytes) => limiter.limitSocketEvent(event, session.userId, member?.sessionId, bytes);
}
