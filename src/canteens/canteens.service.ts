import { districtOfSubdistrict } from '../districts/district.queries';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { reachableCanteen } from '../auth/access';
import { badRequest, conflict, forbidden, notFound } from '../common/app-error';
import {
  CANTEEN_TYPE_LABELS,
  CanteenType,
  MEAL_PERIOD_LABELS,
  MEAL_PERIODS,
  MealPeriod,
  PeriodHours,
} from '../common/enums';
import { isDateInRange } from '../common/local-date';
import { Canteen } from './canteen.entity';
import { CANTEEN_NAME_KEY, findCanteen, listCanteens, subdistrictForNewCanteen } from './canteen.queries';
import { CreateCanteenDto, PricesDto, UpdateCanteenDto } from './canteen.dto';
import { isUniqueViolation } from '../database/pg-errors';

const NAME_KEY = CANTEEN_NAME_KEY;

export const DEFAULT_PERIOD_HOURS: PeriodHours = {
  BREAKFAST: ['05:30', '09:30'],
  LUNCH: ['10:00', '14:00'],
  DINNER: ['16:00', '20:00'],
};

export interface CanteenView {
  id: number;
  subdistrictId: number;
  name: string;
  type: CanteenType;
  typeLabel: string;
  address: string | null;
  openedOn: string | null;
  prices: Record<MealPeriod, number | null>;
  periodHours: PeriodHours;
  active: boolean;
}

export function toCanteenView(c: Canteen): CanteenView {
  return {
    id: c.id,
    subdistrictId: c.subdistrictId,
    name: c.name,
    type: c.type,
    typeLabel: CANTEEN_TYPE_LABELS[c.type],
    address: c.address,
    openedOn: c.openedOn,
    prices: { BREAKFAST: c.breakfastPriceFen, LUNCH: c.lunchPriceFen, DINNER: c.dinnerPriceFen },
    periodHours: c.periodHours,
    active: c.active,
  };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Merges `patch` into `base`: each period ["HH:MM", "HH:MM"], start before end. */
export function mergePeriodHours(base: PeriodHours, patch: Record<string, unknown>): PeriodHours {
  const out: PeriodHours = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (!(MEAL_PERIODS as readonly string[]).includes(key)) {
      throw badRequest('INVALID_PERIOD_HOURS', `未知的餐次：${key}（应为 BREAKFAST、LUNCH 或 DINNER）`);
    }
    if (
      !Array.isArray(value) ||
      value.length !== 2 ||
      !value.every((v): v is string => typeof v === 'string' && HHMM.test(v))
    ) {
      throw badRequest('INVALID_PERIOD_HOURS', '餐次时段应为 ["HH:MM", "HH:MM"]，如 ["10:30", "13:30"]');
    }
    if (value[0] >= value[1]) throw badRequest('INVALID_PERIOD_HOURS', '餐次的开始时间必须早于结束时间');
    out[key as MealPeriod] = [value[0], value[1]];
  }
  refuseOverlap(out);
  return out;
}

/**
 * The till picks the period whose hours hold the clock (SPEC §4): two periods holding the same minute would make
 * that ambiguous. Hours are [start, end): one period may start when another ends.
 */
function refuseOverlap(hours: PeriodHours): void {
  const sorted = MEAL_PERIODS.map((p) => ({ p, from: hours[p][0], to: hours[p][1] })).sort((a, b) =>
    a.from.localeCompare(b.from),
  );
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (b.from < a.to) {
      throw badRequest(
        'PERIOD_HOURS_OVERLAP',
        `${MEAL_PERIOD_LABELS[a.p]}（${a.from}–${a.to}）与${MEAL_PERIOD_LABELS[b.p]}（${b.from}–${b.to}）的时段重叠`,
      );
    }
  }
}

const PRICE_COLUMNS = {
  BREAKFAST: 'breakfastPriceFen',
  LUNCH: 'lunchPriceFen',
  DINNER: 'dinnerPriceFen',
} as const satisfies Record<MealPeriod, keyof Canteen>;

@Injectable()
export class CanteensService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The canteen, if the caller may reach it: 404 CANTEEN_NOT_FOUND / 403 CANTEEN_FORBIDDEN otherwise. */
  async getReachable(user: AuthUser, id: number, manager: EntityManager = this.db.manager): Promise<Canteen> {
    const canteen = await findCanteen(manager, id);
    // A reviewer's reach is its district: look up the canteen's (the others need no extra query).
    const districtId =
      canteen && user.role === 'REVIEWER' ? await districtOfSubdistrict(manager, canteen.subdistrictId) : undefined;
    reachableCanteen(user, canteen && { id: canteen.id, subdistrictId: canteen.subdistrictId, districtId });
    return canteen!;
  }

  /** The canteens within reach, by district and sub-district when asked (a filter never widens the reach). */
  async list(user: AuthUser, filter: { districtId?: number; subdistrictId?: number } = {}): Promise<CanteenView[]> {
    return (await listCanteens(this.db, user, filter)).map(toCanteenView);
  }

  async create(user: AuthUser, dto: CreateCanteenDto, ip: string | null): Promise<CanteenView> {
    if (dto.openedOn !== undefined && !isDateInRange(dto.openedOn)) {
      throw badRequest('VALIDATION_FAILED', '开业日期不是有效日期');
    }
    const periodHours = mergePeriodHours(DEFAULT_PERIOD_HOURS, dto.periodHours ?? {});
    return this.db.transaction(async (m) => {
      const subdistrictId = await subdistrictForNewCanteen(m, dto.subdistrictId);
      if (subdistrictId === undefined) throw notFound('SUBDISTRICT_NOT_FOUND', '街道不存在');
      const canteen = m.create(Canteen, {
        subdistrictId,
        name: dto.name.trim(),
        type: dto.type,
        address: dto.address?.trim() || null,
        openedOn: dto.openedOn ?? null,
        breakfastPriceFen: dto.prices.BREAKFAST ?? null,
        lunchPriceFen: dto.prices.LUNCH ?? null,
        dinnerPriceFen: dto.prices.DINNER ?? null,
        periodHours,
        active: true,
      });
      try {
        await m.save(canteen);
      } catch (e) {
        if (isUniqueViolation(e, NAME_KEY)) throw conflict('CANTEEN_NAME_TAKEN', '该街道已有同名食堂');
        throw e;
      }
      const view = toCanteenView(canteen);
      await this.audit.record(
        {
          actor: user,
          action: 'CANTEEN_CREATED',
          entityType: 'canteen',
          entityId: canteen.id,
          subdistrictId: canteen.subdistrictId,
          canteenId: canteen.id,
          ip,
          details: { name: view.name, type: view.type, prices: view.prices },
        },
        m,
      );
      return view;
    });
  }

  async update(user: AuthUser, id: number, dto: UpdateCanteenDto, ip: string | null): Promise<CanteenView> {
    if (dto.name !== undefined && user.role !== 'ADMIN')
      throw forbidden('只有管理员可以修改食堂名称', 'ROLE_FORBIDDEN');
    return this.db.transaction(async (m) => {
      // Lock the row: two operators editing at once apply one after the other.
      const found = reachableCanteen(user, await findCanteen(m, id, { lock: true }));
      const before = toCanteenView(found);
      if (dto.name !== undefined) found.name = dto.name.trim();
      if (dto.prices) this.applyPrices(found, dto.prices);
      if (dto.periodHours) found.periodHours = mergePeriodHours(found.periodHours, dto.periodHours);
      if (dto.address !== undefined) found.address = dto.address?.trim() || null;
      if (dto.active !== undefined) found.active = dto.active;
      try {
        await m.save(found);
      } catch (e) {
        if (isUniqueViolation(e, NAME_KEY)) throw conflict('CANTEEN_NAME_TAKEN', '该街道已有同名食堂');
        throw e;
      }
      const after = toCanteenView(found);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const key of ['name', 'prices', 'periodHours', 'address', 'active'] as const) {
        if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
          changes[key] = { from: before[key], to: after[key] };
        }
      }
      await this.audit.record(
        {
          actor: user,
          action: 'CANTEEN_CHANGED',
          entityType: 'canteen',
          entityId: id,
          subdistrictId: found.subdistrictId,
          canteenId: id,
          ip,
          details: { changes },
        },
        m,
      );
      return after;
    });
  }

  private applyPrices(canteen: Canteen, prices: PricesDto): void {
    for (const period of MEAL_PERIODS) {
      // undefined leaves the price as it is; null means the period is not served.
      const value = prices[period];
      if (value !== undefined) canteen[PRICE_COLUMNS[period]] = value;
    }
  }
}
