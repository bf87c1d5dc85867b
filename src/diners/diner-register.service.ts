import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import { PassThrough, Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { DINER_STATUS_LABELS } from '../common/enums';
import { todayLocal } from '../common/local-date';
import { ageOn } from '../subsidy/age';
import type { DinerView } from './diners.service';
import { pageRegister, RegisterFilter, registerBatch, RegisterRow } from './diner.queries';

/** A diner of the paged register: the ID number only masked, with the home sub-district's name. */
export interface RegisterDinerView extends Omit<DinerView, 'createdAt'> {
  subdistrictName: string;
  createdAt: string;
}

export const toRegisterView = (r: RegisterRow, today: string): RegisterDinerView => ({
  id: r.id,
  subdistrictId: r.subdistrict_id,
  subdistrictName: r.subdistrict_name,
  name: r.name,
  maskedIdNumber: r.id_number_masked,
  sex: r.sex,
  age: ageOn(r.birth_date, today),
  phone: r.phone,
  community: r.community,
  cardNo: r.card_no,
  status: r.status,
  statusLabel: DINER_STATUS_LABELS[r.status],
  statusEffectiveFrom: r.status_effective_from,
  statusNote: r.status_note,
  registeredCanteenId: r.registered_canteen_id,
  createdAt: r.created_at.toISOString(),
});

const EXPORT_BATCH = 1000;

const EXPORT_COLUMNS: { header: string; width: number; value: (v: RegisterDinerView) => string | number | null }[] = [
  { header: '姓名', width: 12, value: (v) => v.name },
  { header: '身份证号（脱敏）', width: 22, value: (v) => v.maskedIdNumber },
  { header: '性别', width: 6, value: (v) => (v.sex === 'M' ? '男' : '女') },
  { header: '年龄', width: 6, value: (v) => v.age },
  { header: '所属街道', width: 14, value: (v) => v.subdistrictName },
  { header: '所属社区', width: 14, value: (v) => v.community },
  { header: '联系电话', width: 16, value: (v) => v.phone },
  { header: '就餐卡号', width: 14, value: (v) => v.cardNo },
  { header: '状态', width: 8, value: (v) => v.statusLabel },
  { header: '状态生效日期', width: 14, value: (v) => v.statusEffectiveFrom },
  { header: '登记日期', width: 12, value: (v) => v.createdAt.slice(0, 10) },
];

/** Issue 16's register pieces: server-side paging with a total, and the .xlsx export (masked ID numbers only). */
@Injectable()
export class DinerRegisterService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async page(
    user: AuthUser,
    filter: RegisterFilter,
    page = 1,
    pageSize = 20,
  ): Promise<{ items: RegisterDinerView[]; total: number; page: number; pageSize: number }> {
    const { rows, total } = await pageRegister(this.db, user, filter, { page, pageSize });
    const today = todayLocal();
    return { items: rows.map((r) => toRegisterView(r, today)), total, page, pageSize };
  }

  /**
   * The register as an .xlsx, streamed: read in batches by id and written row by row (exceljs' streaming writer),
   * so memory stays flat however large the register. Audited (DINERS_EXPORTED, the filter and nothing personal).
   */
  async export(user: AuthUser, filter: RegisterFilter, ip: string | null): Promise<Readable> {
    await this.audit.record({
      actor: user,
      action: 'DINERS_EXPORTED',
      entityType: 'diner',
      subdistrictId: user.subdistrictId,
      ip,
      details: { filter: { ...filter } },
    });
    const out = new PassThrough();
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    wb.creator = '幸福食堂补贴结算系统';
    const ws = wb.addWorksheet('就餐老人', { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = EXPORT_COLUMNS.map((c) => ({ header: c.header, width: c.width }));
    ws.getRow(1).font = { bold: true };
    const today = todayLocal();
    void (async () => {
      let after = 0;
      for (;;) {
        const rows = await registerBatch(this.db, user, filter, after, EXPORT_BATCH);
        for (const r of rows) {
          const v = toRegisterView(r, today);
          ws.addRow(EXPORT_COLUMNS.map((c) => c.value(v))).commit();
        }
        if (rows.length < EXPORT_BATCH) break;
        after = rows[rows.length - 1].id;
      }
      ws.commit();
      await wb.commit();
    })().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
    return out;
  }
}
