import { Processor } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { AuditChainService } from '../audit/audit-chain.service';
import { CanteensService } from '../canteens/canteens.service';
import { redisOptionsFromUrl } from '../common/redis-connection';
import { AppConfig } from '../config/app-config';
import { CLAIMS_QUEUE } from '../queue/queue.constants';
import { ClaimWorkbookBuilder } from './claim-workbook.builder';
import { ClaimProcessor } from './claim.processor';
import { ClaimsService } from './claims.service';

/** The worker side of monthly claims (the processor, the workbook builder, the monthly scheduler) and housekeeping. */
@Module({})
export class ClaimsWorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    // @nestjs/bullmq reads worker options from the class's decorator metadata only; re-applying the decorator
    // is how the lock and stalled-check intervals come from the config (tests shorten them).
    // Its own connection options too: @nestjs/bullmq would otherwise give the worker the queue's fail-fast ones
    // (queueConnection in src/common/redis-connection.ts), and a worker's blocking commands must wait.
    Processor(CLAIMS_QUEUE, {
      connection: redisOptionsFromUrl(config.REDIS_URL),
      concurrency: 1,
      lockDuration: config.CLAIM_JOB_LOCK_MS,
      stalledInterval: config.CLAIM_JOB_STALLED_CHECK_MS,
    })(ClaimProcessor);
    return {
      module: ClaimsWorkerModule,
      providers: [ClaimsService, CanteensService, ClaimWorkbookBuilder, ClaimProcessor, AuditChainService],
    };
  }
}
