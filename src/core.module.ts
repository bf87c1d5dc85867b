import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DestinationStream } from 'pino';
import { AuditService } from './audit/audit.service';
import { AppLogger, createPino, PINO } from './common/logger';
import { usePrettyLogs } from './common/pretty-log';
import { PiiCipher } from './common/pii-cipher';
import { redisOptionsFromUrl } from './common/redis-connection';
import { REDIS } from './common/redis.provider';
import { RedisModule } from './common/redis.module';
import { AppConfig, keyBytes } from './config/app-config';
import { databaseOptions } from './database/database-options';
import { CLAIMS_QUEUE, DEFAULT_JOB_OPTIONS, QUEUE_COMMAND_TIMEOUT_MS } from './queue/queue.constants';
import { QueueErrorLog } from './queue/queue-error-log';

/**
 * The producer side of a queue fails fast while Redis is away: ioredis would otherwise hold `queue.add` in its
 * offline queue through 20 reconnect attempts (up to 4 minutes) before POST /api/claims could answer 503. Not for
 * the worker's connection, whose blocking commands wait on purpose.
 */
function queueConnection(config: AppConfig): RedisOptions {
  return {
    ...redisOptionsFromUrl(config.REDIS_URL),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: QUEUE_COMMAND_TIMEOUT_MS,
    // Back within 2 s of Redis returning (BullMQ's default backs off to 20 s between attempts).
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  };
}

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
          inject: [REDIS],
          useFactory: () => ({ ...bullOptions(), connection: queueConnection(config) }),
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
          useFactory: () => new PiiCipher(keyBytes(config.PII_ENCRYPTION_KEY), keyBytes(config.PII_HMAC_KEY)),
        },
        AuditService,
        QueueErrorLog,
      ],
      exports: [PINO, AppLogger, AppConfig, PiiCipher, RedisModule, AuditService, BullModule],
    };
  }
}
