import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { canReachDistrict, canReachSubdistrict } from '../auth/access';
import { AuthUser } from '../auth/auth-user';
import { badRequest, forbidden, notFound } from '../common/app-error';
import { addDays, monthBounds, monthOf, previousMonth, todayLocal } from '../common/local-date';
import { CanteensService } from '../canteens/canteens.service';
import {
  DailyStatsDto,
  DailyStatsQuery,
  KpiDto,
  MonthStatsDto,
  StatsFilterQuery,
  SummaryStatsDto,
  SummaryStatsQuery,
} from './stats.dto';
import {
  breakdownStats,
  busiestHours,
  dailyStats,
  monthlyStats,
  StatsFigures,
  StatsFilter,
  subdistrictOf,
  districtName,
  ZERO,
} from './stats.queries';

/** The longest range of GET /api/stats/daily: a year, leap day included. */
export const MAX_DAILY_DAYS = 366;

const dayNumber = (d: string): number =>
  Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 86_400_000;

/** A filtered scope checked against the caller's reach, with a name for titles of exports. */
interface Scope {
  filter: StatsFilter;
  label: string;
}

@Injectable()
export class StatsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly canteens: CanteensService,
  ) {}

  /**
   * The caller's filters, checked: a canteen out of reach answers 404 CANTEEN_NOT_FOUND / 403 CANTEEN_FORBIDDEN, a
   * sub-district out of reach 403 SUBDISTRICT_FORBIDDEN (an admin's unknown one 404 SUBDISTRICT_NOT_FOUND). Within
   * reach, the queries narrow by reach again (reachSql), so a filter can only narrow, never widen.
   */
  async scope(user: AuthUser, q: StatsFilterQuery): Promise<Scope> {
    const filter: StatsFilter = {};
    let label =
      user.role === 'ADMIN'
        ? '全市'
        : user.role === 'REVIEWER'
          ? '本区'
          : user.role === 'FINANCE'
            ? '本街道'
            : '本人食堂';
    if (q.districtId !== undefined) {
      if (!canReachDistrict(user, q.districtId)) throw forbidden('您只能查看本区的统计', 'DISTRICT_FORBIDDEN');
      const name = await districtName(this.db, q.districtId);
      if (name === undefined) throw notFound('DISTRICT_NOT_FOUND');
      filter.districtId = q.districtId;
      label = name;
    }
    if (q.subdistrictId !== undefined) {
      const sub = await subdistrictOf(this.db, q.subdistrictId);
      if (!canReachSubdistrict(user, q.subdistrictId, sub?.districtId)) {
        throw forbidden('您只能查看本人范围内街道的统计', 'SUBDISTRICT_FORBIDDEN');
      }
      if (sub === undefined) throw notFound('SUBDISTRICT_NOT_FOUND');
      filter.subdistrictId = q.subdistrictId;
      label = sub.name;
    }
    if (q.canteenId !== undefined) {
      const canteen = await this.canteens.getReachable(user, q.canteenId);
      filter.canteenId = canteen.id;
      label = canteen.name;
    }
    return { filter, label };
  }

  async daily(user: AuthUser, q: DailyStatsQuery): Promise<{ stats: DailyStatsDto; scopeLabel: string }> {
    const span = dayNumber(q.to) - dayNumber(q.from) + 1;
    if (span < 1 || span > MAX_DAILY_DAYS) throw badRequest('STATS_RANGE_INVALID');
    const { filter, label } = await this.scope(user, q);
    const stats = await dailyStats(this.db, user, { from: q.from, to: q.to }, filter);
    return { stats: { from: q.from, to: q.to, ...stats }, scopeLabel: label };
  }

  /** The statistics screen's tiles and charts of one month (the daily line comes from daily()). */
  async summary(user: AuthUser, q: SummaryStatsQuery): Promise<{ stats: SummaryStatsDto; scopeLabel: string }> {
    const { filter, label } = await this.scope(user, q);
    const month = monthBounds(q.month);
    const range = { from: month.firstDay, to: month.lastDay };
    const months: string[] = [q.month];
    while (months.length < 12) months.unshift(previousMonth(months[0]));
    const yearRange = { from: monthBounds(months[0]).firstDay, to: month.lastDay };
    // Three independent statements, each on its own pooled connection.
    const [series, breakdown, hours] = await Promise.all([
      monthlyStats(this.db, user, yearRange, filter),
      breakdownStats(this.db, user, range, filter),
      busiestHours(this.db, user, range, filter),
    ]);
    const byMonth = new Map(series.map((m) => [m.month, m]));
    const monthRows: MonthStatsDto[] = months.map((m) => ({ ...ZERO, ...byMonth.get(m), month: m }));
    const previous = previousMonth(q.month);
    // The previous month is the 11th of the twelve; its figures are the series' own.
    const before: StatsFigures = monthRows[10];
    // A month under way is also compared with the same days of the previous month (1st … as many days as have
    // begun; to its end when it is shorter): against the whole of it, a month's first days look like a collapse.
    const today = todayLocal();
    const last = monthBounds(previous);
    const sameDay = addDays(last.firstDay, Number(today.slice(8, 10)) - 1);
    const toDateRange =
      q.month === monthOf(today) ? { from: last.firstDay, to: sameDay < last.lastDay ? sameDay : last.lastDay } : null;
    const beforeToDate: StatsFigures | null = toDateRange
      ? (await dailyStats(this.db, user, toDateRange, filter)).totals
      : null;
    const now: StatsFigures = breakdown.totals;
    const ratio = (value: number, base: number): number | null =>
      base === 0 ? null : Math.round(((value - base) / base) * 10_000) / 10_000;
    const kpi = (key: keyof StatsFigures): KpiDto => ({
      value: now[key],
      previous: before[key],
      change: now[key] - before[key],
      changeRatio: ratio(now[key], before[key]),
      toDate: beforeToDate && {
        previous: beforeToDate[key],
        change: now[key] - beforeToDate[key],
        changeRatio: ratio(now[key], beforeToDate[key]),
      },
    });
    const stats: SummaryStatsDto = {
      month: q.month,
      previousMonth: previous,
      toDateRange,
      kpis: {
        meals: kpi('meals'),
        subsidisedMeals: kpi('subsidisedMeals'),
        subsidyFen: kpi('subsidyFen'),
        distinctDiners: kpi('distinctDiners'),
      },
      byTier: breakdown.byTier,
      byPeriod: breakdown.byPeriod,
      byCanteen: breakdown.byCanteen,
      months: monthRows,
      busiestHours: hours,
    };
    return { stats, scopeLabel: label };
  }
}
