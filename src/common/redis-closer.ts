import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { QUEUE_REDIS, REDIS } from './redis.provider';

/** Closes the app's own Redis clients; with Redis away, quit fails and the socket is simply dropped. */
@Injectable()
export class RedisCloser implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(QUEUE_REDIS) private readonly queueRedis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.redis, this.queueRedis].map((c) => c.quit().catch(() => c.disconnect())));
  }
}
