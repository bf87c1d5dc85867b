import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DestinationStream } from 'pino';
import { AuditService } from './audit/audit.service';
import { AppLogger, createPino, PINO } from './common/logger';
import { usePrettyLogs } from './common/pretty-log';
import { PiiCipher } from './common/pii-cipher';
import { redisOptionsFromUrl } from './common/redis-connection';
import { QUEUE_REDIS, REDIS } from './common/redis.provider';
import { RedisModule } from './common/redis.module';
import { AppConfig, keyBytes, piiKeyring } from './config/app-config';
import { databaseOptions } from './database/database-options';
import { CLAIMS_QUEUE, DEFAULT_JOB_OPTIONS } from './queue/queue.constants';
import { QueueErrorLog } from './queue/queue-error-log';

export interface CoreOptions {
  /** Where log lines go (tests capture them); stdout when absent. */
  logStream?: DestinationStream;
  processName: 'api' | 'worker';
}

/** What both the HTTP process and the worker need: config, logs, PostgreSQL, Redis, queues, audit. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, options: CoreOptions): DynamicModule {
    const bullOptions = () => ({
      connection: redisOptionsFromUrl(config.REDIS_URL),
      prefix: config.BULLMQ_PREFIX,
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    return {
      module: CoreModule,
      imports: [
        // Also after the Redis check: a refused start must not leave a PostgreSQL pool connecting behind it.
        TypeOrmModule.forRootAsync({
          imports: [RedisModule.forRoot(config)],
          inject: [REDIS],
          useFactory: () => ({
            ...databaseOptions(config.DATABASE_URL, {
              poolSize: config.DB_POOL_SIZE,
              applicationName: `happy-canteen-${options.processName}`,
            }),
            retryAttempts: 3,
            retryDelay: 1_000,
          }),
        }),
        // Waits on the checked Redis client, so no queue connects to a Redis that evicts.
        BullModule.forRootAsync({
          imports: [RedisModule.forRoot(config)],
          inject: [REDIS],
          useFactory: bullOptions,
        }),
        RedisModule.forRoot(config),
        // Its own options behind the Redis check too: with registerQueue, @nestjs/bullmq takes the shared config as
        // an optional dependency, so after a refused start the queue was built anyway — on 127.0.0.1:6379, and it
        // kept reconnecting there for as long as the process lived.
        BullModule.registerQueueAsync({
          name: CLAIMS_QUEUE,
          imports: [RedisModule.forRoot(config)],
          // A client of our own (src/common/redis.provider.ts, closed by RedisCloser): BullMQ does not close a shared
          // client, and closing its own fail-fast one while Redis is away throws ("enableOfflineQueue options is
          // false") out of app.close().
          inject: [QUEUE_REDIS],
          useFactory: (client: Redis) => ({ ...bullOptions(), connection: client }),
        }),
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        {
          provide: PINO,
          useFactory: () =>
            createPino(
              config.LOG_LEVEL,
              options.logStream,
              usePrettyLogs(config.LOG_FORMAT, process.stdout.isTTY === true, process.env.NODE_ENV),
            ),
        },
        { provide: AppLogger, inject: [PINO], useFactory: (p: ReturnType<typeof createPino>) => new AppLogger(p) },
        {
          provide: PiiCipher,
          useFactory: () => new PiiCipher(piiKeyring(config), keyBytes(config.PII_HMAC_KEY)),
        },
        AuditService,
        QueueErrorLog,
      ],
      exports: [PINO, AppLogger, AppConfig, PiiCipher, RedisModule, AuditService, BullModule],
    };
  }
}
