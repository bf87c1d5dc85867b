import { Logger, Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { evictionProblem, queueConnection, redisOptionsFromUrl } from './redis-connection';

export const REDIS = Symbol('REDIS');
export const QUEUE_REDIS = Symbol('QUEUE_REDIS');

/** A small client for health checks and locks; BullMQ makes its own connections. */
export const redisProvider: Provider = {
  provide: REDIS,
  inject: [AppConfig],
  useFactory: async (config: AppConfig): Promise<Redis> => {
    const client = new Redis({
      ...redisOptionsFromUrl(config.REDIS_URL),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    // An unhandled 'error' event would crash the process while Redis is briefly away.
    client.on('error', (err) => Logger.warn(`Redis: ${err.message}`, 'Redis'));
    try {
      await client.connect();
      const problem = evictionProblem(await client.info('memory'));
      if (problem) throw new Error(problem);
    } catch (err) {
      client.disconnect();
      throw err;
    }
    return client;
  },
};

/** The claims queue's producer connection (fail-fast options); made after the Redis check, closed by RedisCloser. */
export const queueRedisProvider: Provider = {
  provide: QUEUE_REDIS,
  inject: [AppConfig, REDIS],
  useFactory: (config: AppConfig): Redis => {
    const client = new Redis(queueConnection(config.REDIS_URL));
    // BullMQ reports the queue's errors (QueueErrorLog); this only keeps a late one, after the queue closed, from
    // crashing the process as an unhandled 'error' event.
    client.on('error', () => undefined);
    return client;
  },
};
