// The error codes clients may see: a published contract (tills and kiosks branch on `code`), so a code never
// changes meaning or disappears once published.
//
// HOW TO ADD A CODE: add it below (HTTP status + a default zh-CN message) and to a `| code |` table in
// docs/API.md; src/common/error-codes.spec.ts fails until both list the same codes. `AppError` and its helpers
// accept only codes from here, so a typo or an undeclared code does not compile. A per-row import code goes in
// IMPORT_ROW_CODES instead (documented in the `| row code |` table).
// Pure data: no Nest here (src/subsidy/id-number.ts reads its messages from this file).

interface ErrorSpec {
  /** The HTTP status it is sent with; null: the status of the HTTP error it stands for (any other 4xx). */
  readonly status: number | null;
  /** The default zh-CN message; a thrower may say more. */
  readonly message: string;
}

export const ERROR_CODES = {
  // Any route: the exception filter's defaults, the validation pipe, the auth guard, outages.
  UNAUTHENTICATED: { status: 401, message: '请先登录' },
  SESSION_INVALID: { status: 401, message: '登录已失效，请重新登录' },
  ROLE_FORBIDDEN: { status: 403, message: '您的角色无权执行此操作' },
  VALIDATION_FAILED: { status: 400, message: '请求参数有误' },
  UNKNOWN_FIELD: { status: 400, message: '请求中含有不允许的字段' },
  INVALID_JSON: { status: 400, message: '请求内容不是有效的 JSON' },
  BAD_REQUEST: { status: 400, message: '请求有误' },
  FORBIDDEN: { status: 403, message: '无权执行此操作' },
  NOT_FOUND: { status: 404, message: '请求的资源不存在' },
  METHOD_NOT_ALLOWED: { status: 405, message: '不支持该请求方法' },
  CONFLICT: { status: 409, message: '数据冲突，请刷新后重试' },
  PAYLOAD_TOO_LARGE: { status: 413, message: '上传内容过大' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: '不支持的内容类型' },
  UNPROCESSABLE: { status: 422, message: '请求无法处理' },
  TOO_MANY_REQUESTS: { status: 429, message: '请求过于频繁，请稍后再试' },
  ERROR: { status: null, message: '请求失败' },
  INTERNAL_ERROR: { status: 500, message: '服务器内部错误，请稍后重试' },
  SERVICE_UNAVAILABLE: { status: 503, message: '服务暂不可用，请稍后重试' },
  DATABASE_UNAVAILABLE: { status: 503, message: '数据库暂时无法连接，请稍后重试' },
  // Refused input on any route (docs/API.md "Refused input"; test/fuzz.e2e-spec.ts).
  INVALID_CHARACTER: { status: 400, message: '内容中含有不允许的字符' },
  NESTING_TOO_DEEP: { status: 400, message: '请求内容嵌套过深' },
  INVALID_BODY: { status: 400, message: '请求内容无法读取' },
  TOO_MANY_PARAMETERS: { status: 413, message: '请求参数过多' },
  UNSUPPORTED_CHARSET: { status: 415, message: '请求内容须为 UTF-8 编码' },
  UNSUPPORTED_ENCODING: { status: 415, message: '不支持该内容压缩方式' },

  // Login.
  INVALID_CREDENTIALS: { status: 401, message: '用户名或密码错误' },
  LOGIN_THROTTLED: { status: 429, message: '登录失败次数过多，请 15 分钟后再试' },

  // Path ids, dates, months, prices (shared by several features).
  INVALID_ID: { status: 400, message: '编号格式不正确' },
  INVALID_DATE: { status: 400, message: '日期无效，应为 YYYY-MM-DD 格式的真实日期' },
  INVALID_MONTH: { status: 400, message: '月份格式不正确，应为 YYYY-MM，如 2025-03' },
  INVALID_PRICE: { status: 400, message: '餐价无效，应为以“分”为单位的非负整数，如 1200 表示 12.00 元' },

  // ID numbers (src/subsidy/id-number.ts).
  ID_FORMAT: { status: 400, message: '身份证号码格式不正确，应为18位（或15位旧号码）' },
  ID_BIRTHDATE: { status: 400, message: '身份证号码中的出生日期无效' },
  ID_CHECKSUM: { status: 400, message: '身份证号码校验位不正确，请核对' },

  // Subsidy policy.
  POLICY_EFFECTIVE_DATE: { status: 400, message: '新政策只能从明天或以后生效' },
  POLICY_TIERS_INVALID: { status: 400, message: '补贴档次设置有误' },
  POLICY_VERSION_EXISTS: { status: 409, message: '该日期起生效的政策版本已存在' },
  POLICY_VERSION_IN_USE: { status: 409, message: '该政策版本已生效或已被就餐记录使用，不能撤销' },
  POLICY_VERSION_NOT_FOUND: { status: 404, message: '该政策版本不存在' },

  // Monthly claims.
  MONTH_IN_FUTURE: { status: 400, message: '不能申报尚未开始的月份' },
  CLAIM_NOT_FOUND: { status: 404, message: '申报记录不存在' },
  CLAIM_NOT_READY: { status: 409, message: '申报表尚未生成完成，请稍后再下载' },
  CLAIM_FILE_MISSING: { status: 404, message: '申报表文件不存在，请重新生成' },
  CLAIM_BUSY: { status: 409, message: '申报请求过于频繁，请稍后重试' },
  CLAIM_FILE_REQUIRED: { status: 400, message: '请上传要核验的申报表文件（字段 file）' },
  CLAIM_PRINT_TOO_LARGE: {
    status: 409,
    message: '该申报的行数超过浏览器打印上限（20000 行），请下载申报表（Excel）打印',
  },
  CLAIM_FILE_UNKNOWN: { status: 404, message: '该文件与任何申报表都不一致：可能已被修改，或不属于您可查看的申报' },
  QUEUE_UNAVAILABLE: { status: 503, message: '任务队列暂时不可用，请稍后重试' },
  // Review and payment of claims (SPEC §5).
  CLAIM_NOT_SUBDISTRICT: { status: 409, message: '只有整个街道的申报才能提交审核，单个食堂的申报表仅供查看' },
  CLAIM_MONTH_NOT_ENDED: { status: 409, message: '该月尚未结束，申报表仅供预览，不能提交' },
  CLAIM_DATA_CHANGED: { status: 409, message: '生成该版申报表后本月数据已有变动，请重新生成申报表' },
  CLAIM_CHECK_BLOCKING: {
    status: 409,
    message: '有老人在就餐日的状态不是“正常”却享受了补贴，须先作废这些就餐或由站点说明后重新生成，才能提交',
  },
  CLAIM_ACK_MISSING: { status: 400, message: '每一项检查提示都须填写说明后才能提交' },
  CLAIM_ACK_UNEXPECTED: { status: 400, message: '说明所对应的检查提示不存在或无需说明，请刷新后重新填写' },
  CLAIM_REVIEW_STATUS: { status: 409, message: '申报当前的审核状态不允许此操作，请刷新后查看' },
  CLAIM_VERSION_UNDER_REVIEW: { status: 409, message: '该月已有另一版申报已提交、已审核或已拨付，同一时间只能有一版' },
  RETURN_REASON_REQUIRED: { status: 400, message: '退回申报必须填写原因' },
  PAYMENT_REFERENCE_REQUIRED: { status: 400, message: '请填写拨付凭证号' },
  PAYMENT_DATE_IN_FUTURE: { status: 400, message: '拨付日期不能晚于今天' },
  PAYMENT_DATE_BEFORE_SUBMISSION: { status: 400, message: '拨付日期不能早于申报提交的日期' },

  // Meals (the till) and month locks.
  IDEMPOTENCY_KEY_MISSING: { status: 400, message: '缺少请求头 Idempotency-Key，无法保证同一笔就餐只记录一次' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, message: 'Idempotency-Key 过长（最多 128 个字符）' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: '该 Idempotency-Key 已用于另一笔不同的就餐记录，请为新的就餐生成新的 Key',
  },
  DINER_IDENTITY_REQUIRED: { status: 400, message: '请提供身份证号码或就餐卡号（二选一）' },
  NO_PRICE_FOR_PERIOD: { status: 400, message: '本食堂未设置该餐次的价格' },
  SERVED_AT_INVALID: { status: 400, message: '就餐时间不是有效的时间（请检查日期和时刻）' },
  SERVED_AT_OUT_OF_RANGE: { status: 400, message: '就餐时间超出可补录的范围' },
  // Offline tills (SPEC §4 "Offline").
  OFFLINE_FIELDS_INVALID: {
    status: 400,
    message: '离线记录须同时提供 offline: true、servedAt、offlineSince 和 provisionalSubsidyFen，且补贴不超过餐价',
  },
  OFFLINE_WINDOW_EXPIRED: { status: 400, message: '收银台离线时间已超出可补录的范围，离线记录不能再上传' },
  OFFLINE_ID_NUMBER_REQUIRED: { status: 400, message: '离线记录须用身份证号码识别老人，离线时无法识别就餐卡' },
  OFFLINE_CONFLICT_NOT_FOUND: { status: 404, message: '该离线冲突不存在' },
  OFFLINE_CONFLICT_ALREADY_SETTLED: { status: 409, message: '该离线冲突已处理' },
  SETTLE_NOTE_REQUIRED: { status: 400, message: '请填写处理说明' },
  MONTH_LOCKED: { status: 409, message: '该月已锁定结算，不能再新增或作废就餐记录' },
  CANTEEN_INACTIVE: { status: 409, message: '该食堂已停用，不能记录就餐' },
  MEAL_NOT_FOUND: { status: 404, message: '该就餐记录不存在' },
  VOID_FORBIDDEN: { status: 403, message: '收银员只能作废自己当天记录的就餐，其他请联系站点管理员' },
  MEAL_ALREADY_VOIDED: { status: 409, message: '该就餐记录已作废' },
  VOID_REASON_REQUIRED: { status: 400, message: '请填写作废原因' },
  EXPLANATION_NOTE_REQUIRED: { status: 400, message: '请填写说明' },
  MEAL_NOT_FLAGGED: { status: 409, message: '老人在就餐日的状态为正常（或该餐没有补贴），无需说明' },
  MEAL_ALREADY_EXPLAINED: { status: 409, message: '该就餐记录已说明过' },
  UNLOCK_REASON_REQUIRED: { status: 400, message: '解锁必须填写原因' },
  MONTH_ALREADY_LOCKED: { status: 409, message: '该月已锁定，无需重复锁定' },
  MONTH_NOT_LOCKED: { status: 404, message: '该月没有锁定，无需解锁' },
  MONTH_LOCK_HELD_BY_CLAIM: {
    status: 409,
    message: '该月的锁定属于已提交审核的申报，不能由管理员解锁；须由区民政审核退回该申报',
  },

  // Canteens, users and the diner register.
  CANTEEN_NOT_FOUND: { status: 404, message: '食堂不存在' },
  CANTEEN_FORBIDDEN: { status: 403, message: '您无权操作该食堂的数据' },
  CANTEEN_NAME_TAKEN: { status: 409, message: '该街道已有同名食堂' },
  INVALID_PERIOD_HOURS: { status: 400, message: '餐次时段应为 ["HH:MM", "HH:MM"]，开始时间早于结束时间' },
  PERIOD_HOURS_OVERLAP: { status: 400, message: '餐次时段不能重叠' },
  SUBDISTRICT_NOT_FOUND: { status: 404, message: '街道不存在' },
  SUBDISTRICT_NAME_TAKEN: { status: 409, message: '已有同名街道' },
  DISTRICT_NOT_FOUND: { status: 404, message: '区不存在' },
  DISTRICT_NAME_TAKEN: { status: 409, message: '已有同名的区' },
  DISTRICT_CODE_TAKEN: { status: 409, message: '该行政区划代码已被其他区使用' },
  DISTRICT_FORBIDDEN: { status: 403, message: '您只能查看本区的数据' },
  SUBDISTRICT_FORBIDDEN: { status: 403, message: '您只能查询本街道的老人' },
  USERNAME_TAKEN: { status: 409, message: '用户名已被使用' },
  PASSWORD_WEAK: { status: 400, message: '密码过于简单' },
  CURRENT_PASSWORD_WRONG: { status: 400, message: '当前密码不正确' },
  MEAL_OUTSIDE_HOURS: { status: 409, message: '就餐时间不在该餐次时段内，确需记录请再次确认' },
  USER_NOT_FOUND: { status: 404, message: '用户不存在' },
  CASHIER_SHARED: { status: 403, message: '该收银员还在您不管理的食堂工作，只能由系统管理员修改' },
  CANTEENS_REQUIRED: { status: 400, message: '收银员和站点管理员至少要关联一个食堂' },
  CANTEENS_NOT_ALLOWED: { status: 400, message: '财务和管理员账号不关联食堂' },
  CANTEENS_MIXED_SUBDISTRICTS: { status: 400, message: '用户关联的食堂必须属于同一街道' },
  CANNOT_DEACTIVATE_SELF: { status: 400, message: '不能停用自己的账号' },
  DINER_EXISTS: { status: 409, message: '该身份证号码已登记，无需重复登记' },
  CARD_NO_TAKEN: { status: 409, message: '该就餐卡号已被其他老人使用' },
  LOOKS_LIKE_ID_NUMBER: { status: 400, message: '该字段像是身份证号码，请填写到身份证号码一栏' },
  DINER_NOT_FOUND: { status: 404, message: '就餐老人不存在' },
  IMPORT_FILE_INVALID: { status: 400, message: '导入文件无效' },
  IMPORT_UNPACKED_TOO_LARGE: { status: 413, message: '表格解压后过大，请分批导入' },
  // Statistics.
  STATS_RANGE_INVALID: { status: 400, message: '统计区间无效：开始日期不能晚于结束日期，且区间不超过 366 天' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes sent with a given HTTP status: `badRequest` takes only `CodeWithStatus<400>`, and so on. */
export type CodeWithStatus<S extends number> = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C]['status'] extends S ? C : never;
}[ErrorCode];

/** A code with a fixed status (all but ERROR): the ones an AppError can carry. */
export type FixedStatusCode = CodeWithStatus<number>;

export const statusOf = (code: FixedStatusCode): number => ERROR_CODES[code].status;

/** Why the diner import refused one row (`rejected: [{ row, code, reason }]`), with the default reason. */
export const IMPORT_ROW_CODES = {
  NAME_REQUIRED: '姓名未填写',
  NAME_TOO_LONG: '姓名过长',
  ID_REQUIRED: '身份证号码未填写',
  ID_FORMAT: ERROR_CODES.ID_FORMAT.message,
  ID_BIRTHDATE: ERROR_CODES.ID_BIRTHDATE.message,
  ID_CHECKSUM: ERROR_CODES.ID_CHECKSUM.message,
  DUPLICATE_IN_FILE: '与前面某行的身份证号码重复',
  PHONE_INVALID: '联系电话格式不正确',
  CARD_NO_INVALID: '就餐卡号只能包含字母、数字和 -，最长 64 位',
  CARD_NO_DUPLICATE_IN_FILE: '与前面某行的就餐卡号重复',
  CARD_NO_TAKEN: ERROR_CODES.CARD_NO_TAKEN.message,
  LOOKS_LIKE_ID_NUMBER: ERROR_CODES.LOOKS_LIKE_ID_NUMBER.message,
  COMMUNITY_TOO_LONG: '所属社区名称过长',
} as const satisfies Record<string, string>;

export type ImportRowCode = keyof typeof IMPORT_ROW_CODES;
