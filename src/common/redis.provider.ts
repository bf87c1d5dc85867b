import { Logger, Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { evictionProblem, redisOptionsFromUrl } from './redis-connection';

export const REDIS = Symbol('REDIS');

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
