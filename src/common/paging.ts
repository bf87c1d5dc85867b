// One paging convention for every list of the API (docs/API.md "Lists"): `?page=` (from 1) and `?pageSize=` (1–200,
// default 50) in, `{ items, total, page, pageSize }` out, `total` counting every item that matches the filters.
import { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 200;
const PAGE_MAX = 100_000;
const PAGE_MESSAGE = `页码必须是 1–${PAGE_MAX} 的整数`;

/** One page of a list. */
export interface Page<T> {
  items: T[];
  /** Every item matching the filters, on all pages. */
  total: number;
  page: number;
  pageSize: number;
}

const toPositiveInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;

/** `?page=&pageSize=`; list query DTOs extend it. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', default: 1, minimum: 1, maximum: PAGE_MAX, description: '页码，从 1 起' })
  @IsOptional()
  @Transform(toPositiveInt)
  @IsInt({ message: PAGE_MESSAGE })
  @Min(1, { message: PAGE_MESSAGE })
  @Max(PAGE_MAX, { message: PAGE_MESSAGE })
  page?: number;

  @ApiPropertyOptional({
    type: 'integer',
    default: PAGE_SIZE_DEFAULT,
    minimum: 1,
    maximum: PAGE_SIZE_MAX,
    description: `每页条数（1–${PAGE_SIZE_MAX}，缺省 ${PAGE_SIZE_DEFAULT}）`,
  })
  @IsOptional()
  @Transform(toPositiveInt)
  @IsInt({ message: `每页条数必须是 1–${PAGE_SIZE_MAX} 的整数` })
  @Min(1, { message: `每页条数必须是 1–${PAGE_SIZE_MAX} 的整数` })
  @Max(PAGE_SIZE_MAX, { message: `每页条数必须是 1–${PAGE_SIZE_MAX} 的整数` })
  pageSize?: number;
}

/** The page asked for, with the defaults filled in; `offset` for SQL. */
export function pageOf(
  q: PageQueryDto,
  defaultSize = PAGE_SIZE_DEFAULT,
): { page: number; pageSize: number; offset: number } {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? defaultSize;
  return { page, pageSize, offset: (page - 1) * pageSize };
}

/** A page cut from a whole list (lists bounded by what a deployment has: canteens, users, districts, …). */
export function paginate<T>(all: readonly T[], q: PageQueryDto): Page<T> {
  const { page, pageSize, offset } = pageOf(q);
  return { items: all.slice(offset, offset + pageSize), total: all.length, page, pageSize };
}

/**
 * The OpenAPI schema of a page of `item`: a class named `name` (e.g. CanteenPageDto) with `items` of that type.
 * One class per list, so the generated client knows each list's item type.
 */
export function PageDto<T>(item: ClassType<T>, name: string): ClassType<Page<T>> {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: item, isArray: true })
    items!: T[];
    @ApiProperty({ type: 'integer', minimum: 0, description: 'every item matching the filters, on all pages' })
    total!: number;
    @ApiProperty({ type: 'integer', minimum: 1 })
    page!: number;
    @ApiProperty({ type: 'integer', minimum: 1, maximum: PAGE_SIZE_MAX })
    pageSize!: number;
  }
  Object.defineProperty(PageOfItems, 'name', { value: name });
  return PageOfItems;
}
