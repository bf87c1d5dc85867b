import { Injectable, PipeTransform } from '@nestjs/common';
import { badRequest } from '../common/app-error';

/** A numeric path id (serial, within int4); anything else is a 400 rather than a database error. */
@Injectable()
export class IdParamPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^\d{1,9}$/.test(value) || Number(value) === 0) throw badRequest('INVALID_ID', '编号格式不正确');
    return Number(value);
  }
}
