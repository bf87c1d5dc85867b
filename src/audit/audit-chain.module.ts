import { Module } from '@nestjs/common';
import { AuditChainController } from './audit-chain.controller';
import { AuditChainService } from './audit-chain.service';

/** The audit log's hash chain: GET /api/audit/verify here; the worker seals (ClaimsWorkerModule). */
@Module({
  controllers: [AuditChainController],
  providers: [AuditChainService],
})
export class AuditChainModule {}
