// The audit log as admins read it (GET /api/audit): filtered, newest first, paged. Entries are append-only and their
// details were redacted of ID numbers when written (auditDetails), so a DINER_REVEALED entry names the masked
// number only.
import { DataSource } from 'typeorm';
import { positional } from '../auth/access';
import { addDays, LocalDate, startOfLocalDay } from '../common/local-date';

export interface AuditLogFilter {
  actor?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  /** Asia/Shanghai dates, both included. */
  from?: LocalDate;
  to?: LocalDate;
  /** Entries about a sub-district, or about any sub-district of a district. */
  subdistrictId?: number;
  districtId?: number;
}

export interface AuditLogItem {
  id: string;
  at: string;
  actorUserId: number | null;
  actorUsername: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  subdistrictId: number | null;
  canteenId: number | null;
  ip: string | null;
  details: Record<string, unknown>;
}

interface AuditRow {
  id: string;
  at: Date;
  actor_user_id: number | null;
  actor_username: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  subdistrict_id: number | null;
  canteen_id: number | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** The one place the list's filters become SQL. */
function auditWhere(f: AuditLogFilter, params: unknown[]): string {
  const bind = positional(params);
  const parts = ['TRUE'];
  if (f.actor !== undefined) parts.push(`a.actor_username = ${bind(f.actor)}`);
  if (f.action !== undefined) parts.push(`a.action = ${bind(f.action)}`);
  if (f.entityType !== undefined) parts.push(`a.entity_type = ${bind(f.entityType)}`);
  if (f.entityId !== undefined) parts.push(`a.entity_id = ${bind(f.entityId)}`);
  if (f.from !== undefined) parts.push(`a.at >= ${bind(startOfLocalDay(f.from))}`);
  if (f.to !== undefined) parts.push(`a.at < ${bind(startOfLocalDay(addDays(f.to, 1)))}`);
  if (f.subdistrictId !== undefined) parts.push(`a.subdistrict_id = ${bind(f.subdistrictId)}::int`);
  if (f.districtId !== undefined) {
    parts.push(`a.subdistrict_id IN (SELECT id FROM subdistricts WHERE district_id = ${bind(f.districtId)}::int)`);
  }
  return parts.join(' AND ');
}

export async function listAuditLog(
  db: DataSource,
  f: AuditLogFilter,
  page: { limit: number; offset: number },
): Promise<{ items: AuditLogItem[]; total: number }> {
  const params: unknown[] = [];
  const where = auditWhere(f, params);
  const countParams = [...params];
  const bind = positional(params);
  const [rows, [count]] = await Promise.all([
    db.query<AuditRow[]>(
      `SELECT a.id, a.at, a.actor_user_id, a.actor_username, a.action, a.entity_type, a.entity_id, a.subdistrict_id,
              a.canteen_id, a.ip, a.details
         FROM audit_log a WHERE ${where} ORDER BY a.at DESC, a.id DESC LIMIT ${bind(page.limit)} OFFSET ${bind(page.offset)}`,
      params,
    ),
    db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM audit_log a WHERE ${where}`, countParams),
  ]);
  return {
    total: count.total,
    items: rows.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actorUserId: r.actor_user_id,
      actorUsername: r.actor_username,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      subdistrictId: r.subdistrict_id,
      canteenId: r.canteen_id,
      ip: r.ip,
      details: r.details,
    })),
  };
}
