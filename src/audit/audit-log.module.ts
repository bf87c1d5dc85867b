import { Module } from '@nestjs/common';
import { AuditLogController } from './audit-log.controller';

/** The HTTP side of the audit log: the admin's list (writing entries is AuditService, in the core module). */
@Module({ controllers: [AuditLogController] })
export class AuditLogModule {}
