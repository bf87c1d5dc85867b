import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisCloser } from './redis-closer';
import { QUEUE_REDIS, queueRedisProvider, REDIS, redisProvider } from './redis.provider';

/** The app's own Redis client, checked for `noeviction` before anything else connects. */
@Module({})
export class RedisModule {
  private static cached: DynamicModule | null = null;
  private static cachedFor: AppConfig | null = null;

  static forRoot(config: AppConfig): DynamicModule {
    // One module instance per config, so the client is created (and checked) once.
    if (RedisModule.cached && RedisModule.cachedFor === config) return RedisModule.cached;
    RedisModule.cachedFor = config;
    RedisModule.cached = {
      module: RedisModule,
      providers: [{ provide: AppConfig, useValue: config }, redisProvider, queueRedisProvider, RedisCloser],
      exports: [REDIS, QUEUE_REDIS],
    };
    return RedisModule.cached;
  }
}
