import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { canReachSubdistrict } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { CanteensService } from '../canteens/canteens.service';
import { badRequest, conflict, forbidden, notFound } from '../common/app-error';
import { DINER_STATUS_LABELS, DinerStatusValue } from '../common/enums';
import { todayLocal, isDateInRange } from '../common/local-date';
import { PiiCipher } from '../common/pii-cipher';
import { ageOn } from '../subsidy/age';
import { IdNumberError, maskIdNumber, parseIdNumber, ParsedIdNumber } from '../subsidy/id-number';
import { Diner } from './diner.entity';
import { insertDiners } from './diner.queries';
import { idShapedField } from './id-shaped-fields';
import { CreateDinerDto, DinerQueryDto, DinerStatusDto, UpdateDinerDto } from './diner.dto';

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

const LIST_LIMIT = 50;

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

  /** The diner with this ID number in the sub-district's register, or null. Bad numbers → 400 ID_*. */
  async findByIdNumber(subdistrictId: number, raw: string, manager?: EntityManager): Promise<Diner | null> {
    const { idNumber } = parseIdOrThrow(raw);
    return (manager ?? this.db.manager)
      .getRepository(Diner)
      .createQueryBuilder('d')
      .where('d.subdistrictId = :s AND d.idNumberHmac = :h', { s: subdistrictId, h: this.cipher.hmac(idNumber) })
      .getOne();
  }

  async findByCardNo(subdistrictId: number, cardNo: string, manager?: EntityManager): Promise<Diner | null> {
    return (manager ?? this.db.manager).findOne(Diner, { where: { subdistrictId, cardNo: cardNo.trim() } });
  }

  async search(user: AuthUser, query: DinerQueryDto): Promise<DinerView[]> {
    const subdistrictId = this.readableSubdistrict(user, query.subdistrictId);
    if (query.idNumber !== undefined) {
      const d = await this.findByIdNumber(subdistrictId, query.idNumber);
      return d ? [toDinerView(d)] : [];
    }
    if (query.cardNo !== undefined) {
      const d = await this.findByCardNo(subdistrictId, query.cardNo);
      return d ? [toDinerView(d)] : [];
    }
    const qb = this.db
      .getRepository(Diner)
      .createQueryBuilder('d')
      .where('d.subdistrictId = :s', { s: subdistrictId })
      .take(LIST_LIMIT);
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere('d.name LIKE :like', { like }).orderBy('d.name').addOrderBy('d.id');
    } else {
      qb.orderBy('d.id', 'DESC');
    }
    const today = todayLocal();
    return (await qb.getMany()).map((d) => toDinerView(d, today));
  }

  /** A diner of the caller's sub-district (admins: any); others answer 404, as if they did not exist. */
  async getForUser(user: AuthUser, id: number, manager: EntityManager = this.db.manager, lock = false): Promise<Diner> {
    const diner = await manager.findOne(Diner, {
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!diner || !canReachSubdistrict(user, diner.subdistrictId)) {
      throw notFound('DINER_NOT_FOUND', '就餐老人不存在');
    }
    return diner;
  }

  /**
   * Registers a diner in the sub-district's one register. Pass the caller's transaction to commit with it.
   * An ID number already registered → 409 DINER_EXISTS with the existing diner's id.
   */
  async register(user: AuthUser, dto: CreateDinerDto, ip: string | null, manager?: EntityManager): Promise<DinerView> {
    const parsed = parseIdOrThrow(dto.idNumber);
    refuseIdShaped(dto);
    let subdistrictId = user.subdistrictId;
    let canteenId: number | null = null;
    if (dto.canteenId !== undefined) {
      const canteen = await this.canteens.getReachable(user, dto.canteenId, manager);
      subdistrictId = canteen.subdistrictId;
      canteenId = canteen.id;
    } else if (user.canteenIds.length === 1) {
      canteenId = user.canteenIds[0];
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
        const [existing]: { id: number }[] = await m.query(
          `SELECT id FROM diners WHERE subdistrict_id = $1 AND id_number_hmac = $2`,
          [subdistrictId, hmac],
        );
        if (existing) {
          throw conflict('DINER_EXISTS', `该身份证号码（${masked}）已登记，无需重复登记`, { dinerId: existing.id });
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
      const diner = await this.getForUser(user, id, m, true);
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
        const other = await this.findByCardNo(diner.subdistrictId, diner.cardNo, m);
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
      const diner = await this.getForUser(user, id, m, true);
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
      const [row]: { id_number_enc: Buffer }[] = await m.query(`SELECT id_number_enc FROM diners WHERE id = $1`, [id]);
      const idNumber = this.cipher.decrypt(row.id_number_enc);
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

  /** The sub-district whose register the caller reads: its own; an admin may name another. */
  readableSubdistrict(user: AuthUser, requested?: number): number {
    if (requested === undefined || requested === user.subdistrictId) return user.subdistrictId;
    if (!canReachSubdistrict(user, requested)) throw forbidden('您只能查询本街道的老人', 'SUBDISTRICT_FORBIDDEN');
    return requested;
  }
}
