// The audit log as a person reads it: the entry's object ("老人 #42") and its details in Chinese ("查看身份证号
// 371502********1234"; "原因：补录漏记的就餐"). Known detail keys get their Chinese names and values; any other key
// shows as "key: value", so a new detail is never hidden — nor printed as raw JSON.
import {
  CANTEEN_TYPE_LABELS,
  DINER_STATUS_LABELS,
  MEAL_PERIOD_LABELS,
  VERIFICATION_LABELS,
} from '@server/common/enums';
import { ROLE_LABELS } from '../composables/session';
import { yuan } from '../composables/format';
import { reasonLabel } from '../composables/labels';

export const ENTITY_LABELS: Record<string, string> = {
  diner: '老人',
  user: '用户',
  canteen: '食堂',
  claim: '申报表',
  meal: '就餐记录',
  month_lock: '月份锁定',
  district: '区',
  subdistrict: '街道',
  subsidy_policy_version: '补贴标准',
  offline_conflict: '离线冲突',
};

/** 'diner', '42' → '老人 #42'; an unknown type keeps its code. */
export function entityText(type: string | null, id: string | null): string {
  if (type === null) return id === null ? '' : `#${id}`;
  const label = ENTITY_LABELS[type] ?? type;
  return id === null ? label : `${label} #${id}`;
}

const KEY_LABELS: Record<string, string> = {
  maskedIdNumber: '身份证号',
  name: '名称',
  username: '用户名',
  displayName: '姓名',
  role: '角色',
  canteenId: '食堂编号',
  canteenIds: '食堂编号',
  changes: '修改',
  fields: '修改项',
  active: '启用',
  passwordReset: '重置密码',
  reason: '原因',
  note: '说明',
  limit: '限制',
  type: '类型',
  prices: '价格',
  month: '月份',
  version: '版本',
  sha256: 'SHA-256',
  effectiveFrom: '生效日期',
  limitMode: '限额方式',
  tiers: '补贴档次',
  from: '原为',
  to: '改为',
  cardNo: '就餐卡号',
  phone: '电话',
  community: '社区',
  status: '状态',
  rows: '行数',
  imported: '导入',
  skipped: '跳过',
  rejected: '未导入',
  filter: '筛选条件',
  q: '关键词',
  mealDate: '就餐日期',
  mealPeriod: '餐次',
  subsidyFen: '补贴',
  priceFen: '餐价',
  code: '代码',
  adminCode: '代码',
  districtId: '区编号',
  subdistrictId: '街道编号',
  subdistrict: '街道',
  periodHours: '供餐时段',
  dinerId: '老人编号',
  userId: '用户编号',
  claimId: '申报表编号',
  monthLockId: '月份锁定编号',
  acknowledgements: '提示的说明',
  verification: '核验方式',
  servedAt: '就餐时间',
  offline: '离线记录',
  offlineSince: '离线开始',
  provisional: '离线时的补贴',
  paidOn: '拨付日期',
  reference: '凭证号',
  BREAKFAST: '早餐',
  LUNCH: '午餐',
  DINNER: '晚餐',
};

const REASONS: Record<string, string> = {
  'unknown user': '用户不存在',
  'wrong password': '密码错误',
  inactive: '账号已停用',
};

const labelOf = (key: string): string => KEY_LABELS[key] ?? key;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One value, in words: fen as yuan, codes by their labels, lists joined, nested objects as "键：值". */
function valueText(key: string, v: unknown): string {
  if (v === null && key === 'canteenId') return '全部食堂'; // a month lock of the whole sub-district
  if (v === null || v === undefined || v === '') return '无';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number') return key.endsWith('Fen') || key === 'provisional' ? yuan(v) : String(v);
  if (typeof v === 'string') {
    const labels: Record<string, string> =
      key === 'role'
        ? ROLE_LABELS
        : key === 'type'
          ? CANTEEN_TYPE_LABELS
          : key === 'mealPeriod'
            ? MEAL_PERIOD_LABELS
            : key === 'verification'
              ? VERIFICATION_LABELS
              : key === 'status' || key === 'from' || key === 'to'
                ? DINER_STATUS_LABELS
                : key === 'reason'
                  ? REASONS
                  : {};
    // A meal's reason is a subsidy code (TIER_80_PLUS, ALREADY_SUBSIDISED); other reasons are people's words.
    return labels[v] ?? (key === 'reason' && /^[A-Z0-9_]+$/.test(v) ? reasonLabel(v) : v);
  }
  if (Array.isArray(v)) return v.length === 0 ? '无' : v.map((x) => valueText(key, x)).join('、');
  if (isRecord(v)) {
    // A change: { from, to } → "原值 → 新值".
    const keys = Object.keys(v);
    if (keys.length === 2 && 'from' in v && 'to' in v) return `${valueText(key, v.from)} → ${valueText(key, v.to)}`;
    return keys.length === 0 ? '无' : `（${pairs(v).join('，')}）`;
  }
  return String(v as string);
}

const pairs = (d: Record<string, unknown>): string[] =>
  Object.entries(d).map(([k, v]) => `${labelOf(k)}：${valueText(k, v)}`);

/** The details of one entry; '' for an entry without any (a login). */
export function auditDetailsText(action: string, details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details === 'string') return details;
  if (!isRecord(details)) return String(details as string);
  const rest = { ...details };
  const lead: string[] = [];
  if (action === 'DINER_REVEALED' && typeof rest.maskedIdNumber === 'string') {
    lead.push(`查看身份证号 ${rest.maskedIdNumber}`);
    delete rest.maskedIdNumber;
  }
  if (Array.isArray(rest.fields)) rest.fields = rest.fields.map((f) => (typeof f === 'string' ? labelOf(f) : f));
  return [...lead, ...pairs(rest)].join('；');
}
