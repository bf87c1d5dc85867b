import type { RedisOptions } from 'ioredis';
import { QUEUE_COMMAND_TIMEOUT_MS } from '../queue/queue.constants';

/** ioredis options from a redis:// URL (BullMQ wants options, not a shared client). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** BullMQ loses jobs under any evicting policy; refuse to start on such a Redis. */
export function evictionProblem(infoMemory: string): string | null {
  const match = /^maxmemory_policy:(\S+)/m.exec(infoMemory);
  const policy = match?.[1] ?? 'unknown';
  if (policy === 'noeviction') return null;
  return (
    `Redis 的 maxmemory-policy 为 "${policy}"，必须设为 "noeviction"，否则队列任务可能丢失。` +
    ` (Redis maxmemory-policy is "${policy}"; BullMQ requires "noeviction": run CONFIG SET maxmemory-policy noeviction.)`
  );
}

/**
 * The producer side of a queue fails fast while Redis is away: ioredis would otherwise hold `queue.add` in its
 * offline queue through 20 reconnect attempts (up to 4 minutes) before POST /api/claims could answer 503. Not for
 * the worker's connection, whose blocking commands wait on purpose.
 */
export function queueConnection(url: string): RedisOptions {
  return {
    ...redisOptionsFromUrl(url),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: QUEUE_COMMAND_TIMEOUT_MS,
    // Back within 2 s of Redis returning (BullMQ's default backs off to 20 s between attempts).
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  };
}
