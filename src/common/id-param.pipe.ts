import { PipeTransform } from '@nestjs/common';
import { AppError, badRequest } from './app-error';

const INT4_MAX = 2_147_483_647n;
const INT8_MAX = 9_223_372_036_854_775_807n;

/**
 * A path id as the decimal text of a positive integer up to `max` (a serial's int4, a bigserial's int8), in
 * canonical form ('007' → '7'); null for anything else, which then never reaches the database (where a value
 * beyond the column's range would be an error, not "not found").
 */
export function parsePathId(text: string, max: bigint = INT4_MAX): string | null {
  // No more digits than the maximum has (as i12's parseIdParam: '00000000007' is refused for int4).
  if (!/^\d+$/.test(text) || text.length > max.toString().length) return null;
  const id = BigInt(text);
  return id >= 1n && id <= max ? id.toString() : null;
}

const invalidId = (): AppError => badRequest('INVALID_ID', '编号格式不正确');

/**
 * The one pipe for ids in paths: a positive int4 (serial ids) as a number. Anything else is 400 INVALID_ID, or the
 * route's own answer where an id that cannot exist is "not found" (claims, policy versions).
 */
// No @Injectable(): Nest then builds the class used as `IdParamPipe` with no arguments (the default error).
export class IdParamPipe implements PipeTransform<string, number> {
  constructor(private readonly invalid: () => AppError = invalidId) {}

  transform(value: string): number {
    const id = parsePathId(value);
    if (id === null) throw this.invalid();
    return Number(id);
  }
}

/** The same for bigserial ids (meals), kept as decimal text: JavaScript numbers lose precision past 2^53. */
export class BigIdParamPipe implements PipeTransform<string, string> {
  constructor(private readonly invalid: () => AppError = invalidId) {}

  transform(value: string): string {
    const id = parsePathId(value, INT8_MAX);
    if (id === null) throw this.invalid();
    return id;
  }
}
