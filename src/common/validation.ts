import {
  applyDecorators,
  ArgumentMetadata,
  HttpStatus,
  Injectable,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import { AppError, badRequest } from './app-error';
import { INSTANT_SHAPE } from './instant';
import { isDateInRange, isMonthInRange } from './local-date';

function flatten(errors: ValidationError[], prefix = ''): { field: string; constraints: Record<string, string> }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, constraints: e.constraints }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The one global ValidationPipe: unknown fields refused, types transformed, errors in our shape. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const problems = flatten(errors);
      const unknown = problems.filter((p) => 'whitelistValidation' in p.constraints).map((p) => p.field);
      if (unknown.length > 0) {
        return new AppError(HttpStatus.BAD_REQUEST, 'UNKNOWN_FIELD', `请求中含有不允许的字段：${unknown.join('、')}`, {
          fields: unknown,
        });
      }
      const fields = problems.map((p) => p.field);
      // Decorators may carry a zh-CN message; use it when every message of the field is Chinese.
      const zh = problems.flatMap((p) => Object.values(p.constraints)).filter((m) => /[\u4e00-\u9fff]/.test(m));
      const message = zh.length > 0 ? zh.join('；') : `请求参数有误：${fields.join('、')} 不符合要求`;
      return new AppError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', message, { fields: problems });
    },
  });
}

// ---- shared field rules ------------------------------------------------------------------------------------------

/** The largest serial id PostgreSQL's int4 holds; a larger number names nothing and must not reach a query. */
export const INT4_MAX = 2_147_483_647;

/**
 * Optional, but when present not null: for fields whose column is NOT NULL (a PATCH with `"name": null` is
 * refused as invalid instead of failing in the database). Fields that may be cleared keep `@IsOptional()`.
 */
export const IsOptionalNonNull = (): PropertyDecorator => ValidateIf((_, value) => value !== undefined);

/** A row id (serial): an integer 1..2147483647. */
export const IsId = (message: string, options: { each?: boolean } = {}): PropertyDecorator =>
  applyDecorators(
    IsInt({ message, each: options.each }),
    Min(1, { message, each: options.each }),
    Max(INT4_MAX, { message, each: options.each }),
  );

/** A real calendar date 'YYYY-MM-DD' with a year in the range the business deals in (1900..2999). */
/** A query string's id (`?districtId=3`) as a number, before @IsId checks it; anything else is left for @IsId to refuse. */
export const queryIdToInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;

export const IsLocalDate = (message: string): PropertyDecorator =>
  ValidateBy({ name: 'isLocalDate', validator: { validate: isDateInRange, defaultMessage: () => message } });

/** A month 'YYYY-MM' with a year in the range the business deals in (1900..2999). */
export const IsLocalMonth = (message: string): PropertyDecorator =>
  ValidateBy({ name: 'isLocalMonth', validator: { validate: isMonthInRange, defaultMessage: () => message } });

/**
 * An RFC 3339 date-time with its offset (src/common/instant.ts): the shape only; whether the day and time exist is
 * the route's own check through `parseInstant`, so that a 30 February gets the route's stable code.
 */
export const IsInstant = (message: string): PropertyDecorator =>
  ValidateBy({
    name: 'isInstant',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && INSTANT_SHAPE.test(value),
      defaultMessage: () => message,
    },
  });

/** How the OpenAPI document describes a timestamp a client sends (docs/API.md "Timestamps"). */
export const INSTANT_DESCRIPTION =
  'RFC 3339 date-time with Z or an offset (T/Z in either case, 0–9 fractional digits); kept to the millisecond, ' +
  'finer digits truncated. Seconds may be omitted (read as :00).';

/** The OpenAPI description of a timestamp field of a request. */
export const ApiInstantProperty = (description: string, options: { required?: boolean } = {}): PropertyDecorator =>
  ApiProperty({
    type: String,
    format: 'date-time',
    required: options.required ?? true,
    example: '2025-06-01T11:45:00+08:00',
    description: `${description}. ${INSTANT_DESCRIPTION}`,
  });

/** Text with at least one visible character (a name of only spaces names nothing). */
export const IsNonBlank = (message: string): PropertyDecorator =>
  ValidateBy({
    name: 'isNonBlank',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.trim().length > 0,
      defaultMessage: () => message,
    },
  });

// ---- one guard for every argument --------------------------------------------------------------------------------

// Deeper than any request of ours; a 2,000-deep body would otherwise recurse through the transformer.
const MAX_DEPTH = 20;

/**
 * Runs before validation on every body, query and path parameter: refuses a NUL character in any text (PostgreSQL
 * text cannot hold one) and absurdly nested values, wherever they appear.
 */
@Injectable()
export class InputGuardPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') inspect(value, 0);
    return value;
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function inspect(value: unknown, depth: number): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw badRequest('INVALID_CHARACTER', '请求中含有不允许的字符（NUL）');
    // A lone UTF-16 surrogate (JSON "\ud800") is no character: PostgreSQL's jsonb refuses it (an audit entry would fail).
    if (LONE_SURROGATE.test(value)) throw badRequest('INVALID_CHARACTER', '请求中含有无效的 Unicode 字符');
    return;
  }
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
  if (depth >= MAX_DEPTH) throw badRequest('NESTING_TOO_DEEP', '请求内容嵌套层级过深');
  for (const [key, inner] of Object.entries(value)) {
    inspect(key, depth + 1);
    inspect(inner, depth + 1);
  }
}
