/**
 * Whether an instance should get new traffic, from what its probes saw. Pure: the health controller
 * feeds it the probes and the clock.
 *
 * - Draining (SIGTERM received, or an operator's drain): not ready, whatever else holds.
 * - The database down: not ready (nothing works without it).
 * - Redis down: still ready while the outage is shorter than the grace period, counted from the last
 *   successful ping. Every instance shares the one Redis, so a blip would otherwise take every instance
 *   out of the load balancer in the same second; sockets and queues reconnect by themselves.
 */
export interface ReadinessInput {
  draining: boolean;
  databaseUp: boolean;
  redisUp: boolean;
  /** When Redis last answered (ms since epoch), null if never. */
  redisLastOkAt: number | null;
  now: number;
  redisGraceMs: number;
}

export type ReadinessVerdict =
  { ready: true; degraded: string | null } | { ready: false; reason: 'draining' | 'database' | 'redis' };

export function readiness(i: ReadinessInput): ReadinessVerdict {
  if (i.draining) return { ready: false, reason: 'draining' };
  if (!i.databaseUp) return { ready: false, reason: 'database' };
  if (i.redisUp) return { ready: true, degraded: null };
  if (i.redisLastOkAt !== null && i.now - i.redisLastOkAt < i.redisGraceMs) return { ready: true, degraded: 'redis' };
  return { ready: false, reason: 'redis' };
}
