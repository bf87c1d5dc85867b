import { Injectable, PipeTransform } from '@nestjs/common';
import { badRequest } from '../common/app-error';

/** A numeric path id (serial, within int4: 1..2147483647); anything else is refused before any query runs. */
export function parseIdParam(value: string): number | null {
  if (!/^\d{1,10}$/.test(value)) return null;
  const id = Number(value);
  return id >= 1 && id <= 2_147_483_647 ? id : null;
}

/** A path id; anything that is not one is a 400 INVALID_ID rather than a database error. */
@Injectable()
export class IdParamPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = parseIdParam(value);
    if (id === null) throw badRequest('INVALID_ID', '编号格式不正确');
    return id;
  }
}
