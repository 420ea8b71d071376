import Redis from 'ioredis';

export const REDIS = Symbol('REDIS');

export function createRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, enableReadyCheck: true, lazyConnect: false });
  // ioredis reconnects by itself; an error event is reported, never a crash.
  redis.on('error', (e) => console.warn(`[redis] ${e.message}`));
  return redis;
}
