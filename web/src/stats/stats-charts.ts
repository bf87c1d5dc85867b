// The statistics screen's charts as ECharts options, from the API's answers (types from the generated schema).
// Pure functions of the data: the page renders them, and a chart shows exactly the figures of the table below it.
import { MEAL_PERIOD_LABELS } from '../composables/labels';
import { tierLabel } from '../composables/labels';
import type { Schemas } from '../api/http';
import { yuan } from '../composables/format';
import type { ChartOption } from './echarts';

type Daily = Schemas['DailyStatsDto'];
type Summary = Schemas['SummaryStatsDto'];

export const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
/** The canteens drawn side by side (all of them are in the table). */
export const CANTEEN_BARS = 15;

const MEALS = '人次';
const SUBSIDISED = '补贴人次';
const SUBSIDY = '补贴金额（元）';
const DINERS = '就餐老人数';
const COLORS = ['#1d4ed8', '#f59e0b', '#15803d', '#b91c1c', '#7c3aed', '#0e7490'];

// No animation: figures are read, not watched, and a chart is whole the moment its table is.
const base = (): ChartOption => ({
  animation: false,
  color: COLORS,
  textStyle: { fontFamily: "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" },
  tooltip: { trigger: 'axis' },
  legend: { top: 0 },
  grid: { left: 48, right: 16, top: 32, bottom: 28, containLabel: true },
});

/** '2025-06-07' → '6/7'. */
const dayLabel = (d: string): string => `${Number(d.slice(5, 7))}/${Number(d.slice(8, 10))}`;

/** The names of a chart's series, in order: the chart's accessible label lists them. */
export function seriesNames(option: ChartOption): string[] {
  const series = option.series === undefined ? [] : Array.isArray(option.series) ? option.series : [option.series];
  return series.map((s) => String(s.name ?? ''));
}

/** Fen as yuan for an axis (a number, exact to the cent: fen / 100). */
const yuanValue = (fen: number): number => fen / 100;

/** Meals and subsidised meals per day (left axis), and the day's subsidy in yuan (right axis). */
export function dailyLine(daily: Daily): ChartOption {
  return {
    ...base(),
    xAxis: { type: 'category', data: daily.days.map((d) => dayLabel(d.date)), boundaryGap: false },
    yAxis: [
      { type: 'value', minInterval: 1, name: '人次', nameTextStyle: { align: 'right' } },
      { type: 'value', name: '元', nameTextStyle: { align: 'left' }, splitLine: { show: false } },
    ],
    series: [
      { name: MEALS, type: 'line', data: daily.days.map((d) => d.meals), showSymbol: false },
      { name: SUBSIDISED, type: 'line', data: daily.days.map((d) => d.subsidisedMeals), showSymbol: false },
      {
        name: SUBSIDY,
        type: 'bar',
        yAxisIndex: 1,
        barMaxWidth: 12,
        itemStyle: { opacity: 0.45 },
        tooltip: { valueFormatter: (v) => yuan(Math.round(Number(v) * 100)) },
        data: daily.days.map((d) => yuanValue(d.subsidyFen)),
      },
    ],
  };
}

/** The tiers met in the range, in the order of the month's tier table (policy data: never a fixed list). */
export function tiersOf(daily: Daily, summary: Summary): string[] {
  const seen = new Set<string>(summary.byTier.map((t) => t.tier));
  for (const t of Object.keys(daily.totals.byTier)) seen.add(t);
  return [...seen].sort();
}

export function tierBars(daily: Daily, tiers: string[]): ChartOption {
  return {
    ...base(),
    xAxis: { type: 'category', data: daily.days.map((d) => dayLabel(d.date)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: tiers.map((tier) => ({
      name: tierLabel(tier),
      type: 'bar' as const,
      stack: 'tier',
      data: daily.days.map((d) => d.byTier[tier] ?? 0),
    })),
  };
}

export function canteenBars(summary: Summary): ChartOption {
  const top = summary.byCanteen.slice(0, CANTEEN_BARS).reverse();
  return {
    ...base(),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: top.map((c) => c.canteenName), axisLabel: { width: 180, overflow: 'truncate' } },
    series: [
      { name: MEALS, type: 'bar', data: top.map((c) => c.meals) },
      { name: SUBSIDISED, type: 'bar', data: top.map((c) => c.subsidisedMeals) },
    ],
  };
}

/** '2025-06' → '2025年6月'. */
export const monthLabel = (m: string): string => `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`;

export function monthsLine(summary: Summary): ChartOption {
  return {
    ...base(),
    xAxis: { type: 'category', data: summary.months.map((m) => `${Number(m.month.slice(5, 7))}月`) },
    yAxis: [
      { type: 'value', minInterval: 1, name: '人次', nameTextStyle: { align: 'right' } },
      { type: 'value', minInterval: 1, name: '人', nameTextStyle: { align: 'left' }, splitLine: { show: false } },
    ],
    series: [
      { name: MEALS, type: 'line', data: summary.months.map((m) => m.meals) },
      { name: SUBSIDISED, type: 'line', data: summary.months.map((m) => m.subsidisedMeals) },
      // Distinct diners of each month (right axis), as bars: a line would lie on the meals' line.
      {
        name: DINERS,
        type: 'bar',
        yAxisIndex: 1,
        barMaxWidth: 16,
        itemStyle: { opacity: 0.45 },
        data: summary.months.map((m) => m.distinctDiners),
      },
    ],
  };
}

/**
 * The heatmap's and the table's columns: every hour from the first to the last that had meals in the month (quiet
 * hours in between stay visible as gaps), at least 6 to 20 o'clock.
 */
export function hoursOf(summary: Summary): number[] {
  const had = summary.busiestHours.map((c) => c.hour);
  const first = Math.min(6, ...had);
  const last = Math.max(20, ...had);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** Height of the canteens' bar chart: room for each canteen drawn, within limits. */
export const canteenChartHeight = (summary: Summary): number =>
  Math.max(160, Math.min(CANTEEN_BARS, summary.byCanteen.length) * 34 + 70);

export function hoursHeatmap(summary: Summary): ChartOption {
  const hours = hoursOf(summary);
  const max = Math.max(1, ...summary.busiestHours.map((c) => c.meals));
  return {
    ...base(),
    legend: { show: false },
    tooltip: { trigger: 'item' },
    grid: { left: 8, right: 16, top: 8, bottom: 64, containLabel: true },
    xAxis: { type: 'category', data: hours.map((h) => `${h}时`), splitArea: { show: true } },
    yAxis: { type: 'category', data: WEEKDAYS, inverse: true, splitArea: { show: true } },
    visualMap: {
      min: 0,
      max,
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      inRange: { color: ['#eff6ff', '#1d4ed8'] },
    },
    series: [
      {
        name: MEALS,
        type: 'heatmap',
        label: { show: true, formatter: (p) => String((p.value as number[])[2] || '') },
        data: summary.busiestHours.map((c) => [hours.indexOf(c.hour), c.weekday - 1, c.meals]),
      },
    ],
  };
}

export function periodBars(summary: Summary): ChartOption {
  return {
    ...base(),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: summary.byPeriod.map((p) => MEAL_PERIOD_LABELS[p.mealPeriod]) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: MEALS, type: 'bar', data: summary.byPeriod.map((p) => p.meals) },
      { name: SUBSIDISED, type: 'bar', data: summary.byPeriod.map((p) => p.subsidisedMeals) },
    ],
  };
}
