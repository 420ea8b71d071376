import Redis from 'ioredis';

export const REDIS = Symbol('REDIS');
export const APP_CONFIG = Symbol('APP_CONFIG');

export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 3, enableReadyCheck: true, lazyConnect: false });
}
