import { Controller, Get, Header, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Roles } from '../auth/auth.decorators';
import { AuditLogPageDto, AuditLogQuery } from './audit-log.dto';
import { listAuditLog } from './audit-log.queries';

/** SPEC §2: the audit log is the admin's (who did what, when, from where; who revealed which masked ID number). */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditLogController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @Roles('ADMIN')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: AuditLogPageDto })
  async list(@Query() q: AuditLogQuery): Promise<AuditLogPageDto> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    const { items, total } = await listAuditLog(
      this.db,
      {
        actor: q.actor,
        action: q.action,
        entityType: q.entityType,
        entityId: q.entityId,
        from: q.from,
        to: q.to,
        subdistrictId: q.subdistrictId,
        districtId: q.districtId,
      },
      { limit: pageSize, offset: (page - 1) * pageSize },
    );
    return { items, total, page, pageSize };
  }
}
