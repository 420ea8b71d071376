import { Logger } from '@nestjs/common';
import Redis from 'ioredis';

export const REDIS = Symbol('REDIS');

/**
 * A Redis client. `pipelined`: the commands issued in one turn of the event loop leave in one write
 * (ioredis auto-pipelining): a join's dozen commands from concurrent handlers cost a few system calls
 * instead of one each. Never for a client that subscribes (a subscriber's commands are not pipelined).
 */
export function createRedis(url: string, opts: { pipelined?: boolean } = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 3,
    enableReadyCheck: true,
    lazyConnect: false,
    enableAutoPipelining: !!opts.pipelined,
  });
  // ioredis reconnects by itself; an error event is reported (a JSON line like every other), never a crash.
  const logger = new Logger('Redis');
  redis.on('error', (e) => logger.warn(e.message));
  return redis;
}
