import { Injectable } from '@nestjs/common';
import type { ListOfflineConflictsQuery } from './meals.dto';
import { Page, pageOf } from '../common/paging';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { canReachCanteen } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { badRequest, conflict, notFound } from '../common/app-error';
import { CanteensService } from '../canteens/canteens.service';
import {
  findConflict,
  listConflicts,
  lockConflictForSettle,
  markConflictSettled,
  OfflineConflictView,
} from './offline-conflict.queries';

/** SPEC §4 "Offline": the operator sees the offline conflicts of its canteens and settles each with a note. */
@Injectable()
export class OfflineConflictsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly canteens: CanteensService,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthUser, canteenId: number, query: ListOfflineConflictsQuery): Promise<Page<OfflineConflictView>> {
    const canteen = await this.canteens.getReachable(user, canteenId);
    const { page, pageSize, offset } = pageOf(query);
    const { items, total } = await listConflicts(this.db, canteen.id, query.settled, { offset, limit: pageSize });
    return { items, total, page, pageSize };
  }

  /** Settled once, with a note, audited (OFFLINE_CONFLICT_SETTLED). Out of reach reads as not found. */
  async settle(user: AuthUser, id: string, noteRaw: string, ip: string | null): Promise<OfflineConflictView> {
    const note = noteRaw.trim();
    if (note === '') throw badRequest('SETTLE_NOTE_REQUIRED', '请填写处理说明');
    await this.db.transaction(async (m) => {
      const row = await lockConflictForSettle(m, id);
      if (!row || !canReachCanteen(user, { id: row.canteen_id, subdistrictId: row.subdistrict_id })) {
        throw notFound('OFFLINE_CONFLICT_NOT_FOUND', '该离线冲突不存在');
      }
      if (row.settled_at !== null) throw conflict('OFFLINE_CONFLICT_ALREADY_SETTLED', '该离线冲突已处理');
      await markConflictSettled(m, row.id, user.id, note);
      await this.audit.record(
        {
          actor: user,
          action: 'OFFLINE_CONFLICT_SETTLED',
          entityType: 'offline_conflict',
          entityId: row.id,
          subdistrictId: row.subdistrict_id,
          canteenId: row.canteen_id,
          ip,
          details: { note },
        },
        m,
      );
    });
    const settled = await findConflict(this.db, id);
    if (!settled) throw new Error(`offline conflict ${id} is gone`);
    return settled;
  }
}
