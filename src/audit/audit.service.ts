import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { redactDeep } from '../common/redact';
import { prepared } from '../database/prepared';

export interface AuditRecord {
  actor: Pick<AuthUser, 'id' | 'username'> | null;
  action: string;
  entityType?: string;
  entityId?: string | number;
  subdistrictId?: number | null;
  canteenId?: number | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** An entry's details as stored: JSON, with ID numbers masked. */
export const auditDetails = (details: Record<string, unknown>): string => JSON.stringify(redactDeep(details));

/** Appends to the audit log; pass the caller's transaction so the entry commits (or not) with the change. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(entry: AuditRecord, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await prepared(
      manager,
      'audit_insert',
      `INSERT INTO audit_log (actor_user_id, actor_username, action, entity_type, entity_id, subdistrict_id, canteen_id, ip, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        entry.actor?.id ?? null,
        entry.actor?.username ?? null,
        entry.action,
        entry.entityType ?? null,
        entry.entityId === undefined ? null : String(entry.entityId),
        entry.subdistrictId ?? null,
        entry.canteenId ?? null,
        entry.ip ?? null,
        auditDetails(entry.details ?? {}),
      ],
    );
  }
}
