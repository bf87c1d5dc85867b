import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ownSubdistrict } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { CanteensService } from '../canteens/canteens.service';
import { badRequest, conflict, forbidden, notFound } from '../common/app-error';
import { DINER_STATUS_LABELS, DinerStatusValue } from '../common/enums';
import { todayLocal, isDateInRange } from '../common/local-date';
import { PiiCipher } from '../common/pii-cipher';
import { ageOn } from '../subsidy/age';
import { IdNumberError, maskIdNumber, parseIdNumber, ParsedIdNumber } from '../subsidy/id-number';
import { Diner } from './diner.entity';
import {
  dinerInReach,
  findDinerIdByCardNo,
  findDinerIdByHmac,
  insertDiners,
  readIdNumberEnc,
  searchRegister,
} from './diner.queries';
import { idShapedField } from './id-shaped-fields';
import { CreateDinerDto, DinerQueryDto, DinerStatusDto, UpdateDinerDto } from './diner.dto';
import { Page, pageOf, paginate } from '../common/paging';

/** A diner as every answer shows it: the ID number only masked. */
export interface DinerView {
  id: number;
  subdistrictId: number;
  name: string;
  maskedIdNumber: string;
  sex: 'M' | 'F';
  age: number;
  phone: string | null;
  community: string | null;
  cardNo: string | null;
  status: DinerStatusValue;
  statusLabel: string;
  statusEffectiveFrom: string | null;
  statusNote: string | null;
  registeredCanteenId: number | null;
  createdAt: Date;
}

export function toDinerView(d: Diner, today = todayLocal()): DinerView {
  return {
    id: d.id,
    subdistrictId: d.subdistrictId,
    name: d.name,
    maskedIdNumber: d.idNumberMasked,
    sex: d.sex,
    age: ageOn(d.birthDate, today),
    phone: d.phone,
    community: d.community,
    cardNo: d.cardNo,
    status: d.status,
    statusLabel: DINER_STATUS_LABELS[d.status],
    statusEffectiveFrom: d.statusEffectiveFrom,
    statusNote: d.statusNote,
    registeredCanteenId: d.registeredCanteenId,
    createdAt: d.createdAt,
  };
}

/** Validates an ID number, turning its problem into a 400 with the stable code (ID_FORMAT, …). */
function parseIdOrThrow(raw: string): ParsedIdNumber {
  try {
    return parseIdNumber(raw);
  } catch (e) {
    if (e instanceof IdNumberError) throw badRequest(e.code, e.message);
    throw e;
  }
}

function refuseIdShaped(fields: { phone?: string | null; cardNo?: string | null }): void {
  const problem = idShapedField(fields);
  if (problem) throw badRequest('LOOKS_LIKE_ID_NUMBER', problem.message, { field: problem.field });
}

@Injectable()
export class DinersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cipher: PiiCipher,
    private readonly audit: AuditService,
    private readonly canteens: CanteensService,
  ) {}

  /** The diner with this ID number anywhere in the city's one register, or null. Bad numbers → 400 ID_*. */
  async findByIdNumber(raw: string, manager?: EntityManager): Promise<Diner | null> {
    const { idNumber } = parseIdOrThrow(raw);
    const id = await findDinerIdByHmac(manager ?? this.db, this.cipher.hmac(idNumber));
    return id === undefined ? null : (manager ?? this.db.manager).findOne(Diner, { where: { id } });
  }

  /** The diner holding this meal-card number anywhere in the city, or null. */
  async findByCardNo(cardNo: string, manager?: EntityManager): Promise<Diner | null> {
    const id = await findDinerIdByCardNo(manager ?? this.db, cardNo.trim());
    return id === undefined ? null : (manager ?? this.db.manager).findOne(Diner, { where: { id } });
  }

  /**
   * The caller's register (SPEC §3): the diners of its sub-district and those who have eaten at its canteens. The
   * full ID number finds any diner of the city (so that nobody is registered twice); nothing else reaches across.
   */
  async search(user: AuthUser, query: DinerQueryDto): Promise<Page<DinerView>> {
    const { page, pageSize, offset } = pageOf(query);
    if (query.idNumber !== undefined) {
      const d = await this.findByIdNumber(query.idNumber);
      return paginate(d ? [toDinerView(d)] : [], query);
    }
    const [found, total] = await searchRegister(
      this.db,
      user,
      {
        subdistrictId: query.subdistrictId,
        districtId: query.districtId,
        cardNo: query.cardNo?.trim(),
        nameLike: query.q || undefined,
      },
      { offset, limit: pageSize },
    );
    const today = todayLocal();
    return { items: found.map((d) => toDinerView(d, today)), total, page, pageSize };
  }

  /** A diner in the caller's register (admins: any); others answer 404, as if they did not exist. */
  async getForUser(user: AuthUser, id: number, manager: EntityManager = this.db.manager, lock = false): Promise<Diner> {
    const diner = await manager.findOne(Diner, {
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!diner || diner.mergedIntoId !== null || !(await dinerInReach(manager, user, id))) {
      throw notFound('DINER_NOT_FOUND', '就餐老人不存在');
    }
    return diner;
  }

  /** A diner the caller may change: one of its register whose home sub-district is the caller's (admins: any). */
  private async getForChange(user: AuthUser, id: number, manager: EntityManager): Promise<Diner> {
    const diner = await this.getForUser(user, id, manager, true);
    if (user.role !== 'ADMIN' && diner.subdistrictId !== user.subdistrictId) {
      throw forbidden('该老人登记在其他街道，只能由其所在街道修改', 'SUBDISTRICT_FORBIDDEN');
    }
    return diner;
  }

  /**
   * Registers a diner in the city's one register, with the canteen's sub-district (or the caller's) as home. Pass
   * the caller's transaction to commit with it. An ID number already registered anywhere in the city → 409
   * DINER_EXISTS whose details carry the existing diner (masked), so that the till carries on with that diner.
   */
  async register(user: AuthUser, dto: CreateDinerDto, ip: string | null, manager?: EntityManager): Promise<DinerView> {
    const parsed = parseIdOrThrow(dto.idNumber);
    refuseIdShaped(dto);
    let subdistrictId: number;
    let canteenId: number | null = null;
    if (dto.canteenId !== undefined) {
      const canteen = await this.canteens.getReachable(user, dto.canteenId, manager);
      subdistrictId = canteen.subdistrictId;
      canteenId = canteen.id;
    } else {
      subdistrictId = ownSubdistrict(user);
      if (user.canteenIds.length === 1) canteenId = user.canteenIds[0];
    }
    const work = async (m: EntityManager): Promise<DinerView> => {
      const hmac = this.cipher.hmac(parsed.idNumber);
      const masked = maskIdNumber(parsed.idNumber);
      const inserted = await insertDiners(
        m,
        this.cipher,
        [
          {
            subdistrictId,
            name: dto.name,
            idNumber: parsed.idNumber,
            birthDate: parsed.birthDate,
            sex: parsed.sex,
            phone: dto.phone || null,
            community: dto.community || null,
            cardNo: dto.cardNo || null,
            registeredCanteenId: canteenId,
            registeredBy: user.id,
          },
        ],
        { skipConflicts: true },
      );
      if (inserted.length === 0) {
        const existingId = await findDinerIdByHmac(m, hmac);
        if (existingId !== undefined) {
          const existing = toDinerView(await m.findOneOrFail(Diner, { where: { id: existingId } }));
          throw conflict('DINER_EXISTS', `该身份证号码（${masked}）已登记，无需重复登记`, {
            dinerId: existingId,
            diner: existing,
          });
        }
        throw conflict('CARD_NO_TAKEN', '该就餐卡号已被其他老人使用');
      }
      const id = inserted[0];
      await this.audit.record(
        {
          actor: user,
          action: 'DINER_CREATED',
          entityType: 'diner',
          entityId: id,
          subdistrictId,
          canteenId,
          ip,
          details: { name: dto.name, maskedIdNumber: masked, cardNo: dto.cardNo ?? null },
        },
        m,
      );
      return toDinerView(await m.findOneOrFail(Diner, { where: { id } }));
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  async update(user: AuthUser, id: number, dto: UpdateDinerDto, ip: string | null): Promise<DinerView> {
    refuseIdShaped(dto);
    return this.db.transaction(async (m) => {
      const diner = await this.getForChange(user, id, m);
      const changed: string[] = [];
      if (dto.name !== undefined && dto.name !== diner.name) {
        diner.name = dto.name;
        changed.push('name');
      }
      for (const key of ['phone', 'community', 'cardNo'] as const) {
        const value = dto[key];
        if (value === undefined) continue;
        const next = value || null;
        if (next !== diner[key]) {
          diner[key] = next;
          changed.push(key);
        }
      }
      if (changed.includes('cardNo') && diner.cardNo !== null) {
        const other = await this.findByCardNo(diner.cardNo, m);
        if (other && other.id !== diner.id) throw conflict('CARD_NO_TAKEN', '该就餐卡号已被其他老人使用');
      }
      if (changed.length > 0) {
        await m.save(diner);
        await this.audit.record(
          {
            actor: user,
            action: 'DINER_CHANGED',
            entityType: 'diner',
            entityId: id,
            subdistrictId: diner.subdistrictId,
            ip,
            details: { maskedIdNumber: diner.idNumberMasked, fields: changed },
          },
          m,
        );
      }
      return toDinerView(diner);
    });
  }

  async setStatus(user: AuthUser, id: number, dto: DinerStatusDto, ip: string | null): Promise<DinerView> {
    if (!isDateInRange(dto.effectiveFrom)) throw badRequest('VALIDATION_FAILED', '生效日期不是有效日期');
    return this.db.transaction(async (m) => {
      const diner = await this.getForChange(user, id, m);
      const from = diner.status;
      diner.status = dto.status;
      diner.statusEffectiveFrom = dto.effectiveFrom;
      diner.statusNote = dto.note?.trim() || null;
      await m.save(diner);
      await this.audit.record(
        {
          actor: user,
          action: 'DINER_STATUS_CHANGED',
          entityType: 'diner',
          entityId: id,
          subdistrictId: diner.subdistrictId,
          ip,
          details: {
            maskedIdNumber: diner.idNumberMasked,
            from,
            to: dto.status,
            effectiveFrom: dto.effectiveFrom,
            note: diner.statusNote,
          },
        },
        m,
      );
      return toDinerView(diner);
    });
  }

  /** SPEC §7: the full ID number, for operators, finance and admins only, and always audited. */
  async reveal(user: AuthUser, id: number, ip: string | null): Promise<{ id: number; name: string; idNumber: string }> {
    return this.db.transaction(async (m) => {
      const diner = await this.getForUser(user, id, m);
      const idNumber = this.cipher.decrypt((await readIdNumberEnc(m, id))!);
      await this.audit.record(
        {
          actor: user,
          action: 'DINER_REVEALED',
          entityType: 'diner',
          entityId: id,
          subdistrictId: diner.subdistrictId,
          ip,
          details: { maskedIdNumber: diner.idNumberMasked },
        },
        m,
      );
      return { id, name: diner.name, idNumber };
    });
  }
}
