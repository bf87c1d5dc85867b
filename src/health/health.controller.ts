import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiExtension, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { RETRY_AFTER_HEADER } from '../common/api-responses';
import { LiveDto, ReadyDto } from './health.dto';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { REDIS } from '../common/redis.provider';

type Check = 'up' | 'down';

// How long a load balancer should wait before asking again (seconds).
const READY_RETRY_AFTER_S = 5;

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

@ApiTags('health')
// The probes answer whatever PostgreSQL does: no 503 DATABASE_UNAVAILABLE (src/openapi.ts).
@ApiExtension('x-database', false)
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @ApiOkResponse({ type: LiveDto })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL and Redis both answer within a second. */
  @Get('ready')
  @ApiOkResponse({ type: ReadyDto })
  @ApiServiceUnavailableResponse({ type: ReadyDto, headers: RETRY_AFTER_HEADER, description: 'a store is down' })
  async ready(
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ status: 'ok' | 'unavailable'; checks: Record<string, Check> }> {
    const [postgres, redis] = await Promise.all([
      withTimeout(this.db.query('SELECT 1'), 1_000).then(
        (): Check => 'up',
        (): Check => 'down',
      ),
      withTimeout(this.redis.ping(), 1_000).then(
        (): Check => 'up',
        (): Check => 'down',
      ),
    ]);
    const ok = postgres === 'up' && redis === 'up';
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    if (!ok) res.setHeader('Retry-After', String(READY_RETRY_AFTER_S));
    return { status: ok ? 'ok' : 'unavailable', checks: { postgres, redis } };
  }
}
