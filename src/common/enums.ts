export const ROLES = ['CASHIER', 'OPERATOR', 'FINANCE', 'REVIEWER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export const CANTEEN_TYPES = ['CARE_FACILITY', 'ENTERPRISE'] as const;
export type CanteenType = (typeof CANTEEN_TYPES)[number];
export const CANTEEN_TYPE_LABELS: Record<CanteenType, string> = {
  CARE_FACILITY: '养老设施型',
  ENTERPRISE: '企业挂牌型',
};

export const MEAL_PERIODS = ['BREAKFAST', 'LUNCH', 'DINNER'] as const;
export type MealPeriod = (typeof MEAL_PERIODS)[number];
/** A canteen's serving hours: period → ['HH:MM', 'HH:MM'], start before end. */
export type PeriodHours = Record<MealPeriod, [string, string]>;
export const MEAL_PERIOD_LABELS: Record<MealPeriod, string> = { BREAKFAST: '早餐', LUNCH: '午餐', DINNER: '晚餐' };

export const VERIFICATIONS = ['ID_CARD_READER', 'MANUAL_ENTRY', 'MEAL_CARD'] as const;
export type Verification = (typeof VERIFICATIONS)[number];
export const VERIFICATION_LABELS: Record<Verification, string> = {
  ID_CARD_READER: '身份证读卡',
  MANUAL_ENTRY: '手工录入',
  MEAL_CARD: '就餐卡',
};

export const DINER_STATUSES = ['ACTIVE', 'SUSPENDED', 'MOVED_AWAY', 'DECEASED'] as const;
export type DinerStatusValue = (typeof DINER_STATUSES)[number];
export const DINER_STATUS_LABELS: Record<DinerStatusValue, string> = {
  ACTIVE: '正常',
  SUSPENDED: '暂停',
  MOVED_AWAY: '已迁出',
  DECEASED: '已故',
};

export const CLAIM_STATUSES = ['QUEUED', 'RUNNING', 'DONE', 'FAILED'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** SPEC §5 review and payment of a claim version: DRAFT → SUBMITTED → RETURNED | APPROVED → PAID. */
export const REVIEW_STATUSES = ['DRAFT', 'SUBMITTED', 'RETURNED', 'APPROVED', 'PAID'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export const REVIEW_STATUS_LABELS: Record<ReviewStatus, string> = {
  DRAFT: '未提交',
  SUBMITTED: '已提交',
  RETURNED: '已退回',
  APPROVED: '已审核',
  PAID: '已拨付',
};
/** The review statuses in which a version holds its sub-district month (one at a time). */
export const UNDER_REVIEW: readonly ReviewStatus[] = ['SUBMITTED', 'APPROVED', 'PAID'];

/** What a claim's history records (claim_events.action). */
export const CLAIM_EVENT_ACTIONS = ['SUBMITTED', 'RETURNED', 'APPROVED', 'PAID'] as const;
export type ClaimEventAction = (typeof CLAIM_EVENT_ACTIONS)[number];
export const CLAIM_EVENT_LABELS: Record<ClaimEventAction, string> = {
  SUBMITTED: '提交申报',
  RETURNED: '退回',
  APPROVED: '审核通过',
  PAID: '登记拨付',
};
