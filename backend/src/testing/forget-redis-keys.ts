import Redis from 'ioredis';

/**
 * What FLUSHALL does to one test app: deletes every key under its prefix (e.g. its QUEUE_PREFIX). The test
 * Redis is shared by the test files running in parallel, so a real flush would break the others.
 * Returns how many keys went.
 */
export async function forgetRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}
