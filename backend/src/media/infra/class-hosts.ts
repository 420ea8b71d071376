import type Redis from 'ioredis';
import { z } from 'zod';
import type { ProducerInfo } from '../../contracts/media';

/** Which host each media peer of a class is on (peer id → host id). */
const peersKey = (sessionId: string) => `media:peers:${sessionId}`;
/** Every producer of a class and the host it is on (producer id → JSON), so a peer on another host can pull it. */
const producersKey = (sessionId: string) => `media:producers:${sessionId}`;
/** What regrouping remembers of a class (media/domain/host-regroup.ts): since when it fits on one host, its last join. */
const regroupKey = (sessionId: string) => `media:regroup:${sessionId}`;
/** A class lasts hours; its keys outlive it by a day at most (they are dropped as peers and producers go). */
const TTL_SECONDS = 24 * 3600;

/** Deletes a hash field only while it still names this host (a peer that moved meanwhile keeps its new host). */
const RELEASE_FIELD = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) else return 0 end`;

const entrySchema = z.object({
  host: z.string(),
  producer: z.object({
    producerId: z.string(),
    peerId: z.string(),
    userId: z.string(),
    kind: z.enum(['audio', 'video']),
    source: z.string(),
    paused: z.boolean(),
  }),
});

export interface HostedProducer {
  host: string;
  producer: ProducerInfo;
}

/**
 * A class spread over several media hosts, as Redis knows it: where each of its peers is (the cluster
 * routes a peer's requests there) and where each of its producers is (a host pulls it from there).
 * Written by the host that has the peer or producer, and cleared by it; entries of a host that went
 * silent are pruned by the others (`pruneHosts`).
 */
export class ClassHosts {
  constructor(private readonly redis: Redis) {}

  async peerHost(sessionId: string, peerId: string): Promise<string | null> {
    return this.redis.hget(peersKey(sessionId), peerId);
  }

  /** How many peers of the class each host holds. */
  async peersByHost(sessionId: string): Promise<Map<string, number>> {
    const all = await this.redis.hgetall(peersKey(sessionId));
    const out = new Map<string, number>();
    for (const host of Object.values(all)) out.set(host, (out.get(host) ?? 0) + 1);
    return out;
  }

  async setPeerHost(sessionId: string, peerId: string, host: string): Promise<void> {
    await this.redis.multi().hset(peersKey(sessionId), peerId, host).expire(peersKey(sessionId), TTL_SECONDS).exec();
  }

  async releasePeer(sessionId: string, peerId: string, host: string): Promise<void> {
    await this.redis.eval(RELEASE_FIELD, 1, peersKey(sessionId), peerId, host);
  }

  async putProducer(sessionId: string, host: string, producer: ProducerInfo): Promise<void> {
    await this.redis
      .multi()
      .hset(producersKey(sessionId), producer.producerId, JSON.stringify({ host, producer }))
      .expire(producersKey(sessionId), TTL_SECONDS)
      .exec();
  }

  async removeProducer(sessionId: string, producerId: string, host: string): Promise<void> {
    const raw = await this.redis.hget(producersKey(sessionId), producerId);
    if (!raw) return;
    const parsed = entrySchema.safeParse(JSON.parse(raw));
    if (!parsed.success || parsed.data.host === host) await this.redis.hdel(producersKey(sessionId), producerId);
  }

  async producer(sessionId: string, producerId: string): Promise<HostedProducer | null> {
    const raw = await this.redis.hget(producersKey(sessionId), producerId);
    return raw ? this.parse(raw) : null;
  }

  async producers(sessionId: string): Promise<HostedProducer[]> {
    const all = await this.redis.hgetall(producersKey(sessionId));
    return Object.values(all)
      .map((raw) => this.parse(raw))
      .filter((e): e is HostedProducer => e !== null);
  }

  /** Forgets the peers and producers of hosts not in `alive`; returns how many entries went. */
  async pruneHosts(sessionId: string, alive: ReadonlySet<string>): Promise<number> {
    const [peers, producers] = await Promise.all([
      this.redis.hgetall(peersKey(sessionId)),
      this.redis.hgetall(producersKey(sessionId)),
    ]);
    const goneProducers = Object.entries(producers)
      .filter(([, raw]) => {
        const e = this.parse(raw);
        return !e || !alive.has(e.host);
      })
      .map(([id]) => id);
    const gonePeers = Object.entries(peers)
      .filter(([, host]) => !alive.has(host))
      .map(([id]) => id);
    if (goneProducers.length) await this.redis.hdel(producersKey(sessionId), ...goneProducers);
    if (gonePeers.length) await this.redis.hdel(peersKey(sessionId), ...gonePeers);
    return goneProducers.length + gonePeers.length;
  }

  /** A person of the class joined its media (a storm of joins holds regrouping back). */
  async noteJoin(sessionId: string, at: number): Promise<void> {
    await this.redis
      .multi()
      .hset(regroupKey(sessionId), 'lastJoinAt', String(at))
      .expire(regroupKey(sessionId), TTL_SECONDS)
      .exec();
  }

  async regroupState(sessionId: string): Promise<{ fitSince: number | null; lastJoinAt: number | null }> {
    const [fitSince, lastJoinAt] = await this.redis.hmget(regroupKey(sessionId), 'fitSince', 'lastJoinAt');
    const num = (v: string | null) => (v !== null && Number.isFinite(Number(v)) ? Number(v) : null);
    return { fitSince: num(fitSince), lastJoinAt: num(lastJoinAt) };
  }

  /**
   * Since when the class fits on one host (null: it does not). Every host of the class writes it on its
   * beat; the first to see the class fit sets the time (HSETNX), so two hosts never restart each other's clock.
   */
  async setFitSince(sessionId: string, at: number | null): Promise<void> {
    if (at === null) await this.redis.hdel(regroupKey(sessionId), 'fitSince');
    else
      await this.redis
        .multi()
        .hsetnx(regroupKey(sessionId), 'fitSince', String(at))
        .expire(regroupKey(sessionId), TTL_SECONDS)
        .exec();
  }

  /** The class ended: its lists go. */
  async forget(sessionId: string): Promise<void> {
    await this.redis.del(peersKey(sessionId), producersKey(sessionId), regroupKey(sessionId));
  }

  private parse(raw: string): HostedProducer | null {
    try {
      const e = entrySchema.parse(JSON.parse(raw));
      return { host: e.host, producer: e.producer as ProducerInfo };
    } catch {
      return null;
    }
  }
}
