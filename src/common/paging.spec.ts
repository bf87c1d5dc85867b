import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, PageQueryDto, pageOf, paginate } from './paging';

const query = (q: Record<string, unknown>): PageQueryDto => plainToInstance(PageQueryDto, q);
const errors = (q: Record<string, unknown>): string[] => [
  ...new Set(validateSync(query(q)).flatMap((e) => Object.values(e.constraints ?? {}))),
];

describe('paging', () => {
  const all = Array.from({ length: 23 }, (_, i) => i + 1);

  it('cuts pages in order, every item once, with the total on each page', () => {
    const seen: number[] = [];
    for (let page = 1; page <= 3; page++) {
      const p = paginate(all, { page, pageSize: 10 });
      expect(p).toMatchObject({ total: 23, page, pageSize: 10 });
      seen.push(...p.items);
    }
    expect(seen).toEqual(all);
    expect(paginate(all, { page: 3, pageSize: 10 }).items).toEqual([21, 22, 23]);
  });

  it('answers an empty page past the end with the true total', () => {
    expect(paginate(all, { page: 4, pageSize: 10 })).toEqual({ items: [], total: 23, page: 4, pageSize: 10 });
    expect(paginate([], {})).toEqual({ items: [], total: 0, page: 1, pageSize: PAGE_SIZE_DEFAULT });
  });

  it('fills in page 1 and the default size, and gives SQL its offset', () => {
    expect(pageOf({})).toEqual({ page: 1, pageSize: PAGE_SIZE_DEFAULT, offset: 0 });
    expect(pageOf({ page: 3, pageSize: 20 })).toEqual({ page: 3, pageSize: 20, offset: 40 });
    expect(pageOf({}, 20)).toEqual({ page: 1, pageSize: 20, offset: 0 });
  });

  it('takes page and pageSize from the query string, and refuses what is not a page', () => {
    expect(query({ page: '2', pageSize: '200' })).toMatchObject({ page: 2, pageSize: 200 });
    expect(errors({ page: '2', pageSize: String(PAGE_SIZE_MAX) })).toEqual([]);
    expect(errors({ page: '0' })).toEqual(['页码必须是 1–100000 的整数']);
    expect(errors({ page: '1.5' })).toEqual(['页码必须是 1–100000 的整数']);
    expect(errors({ pageSize: String(PAGE_SIZE_MAX + 1) })).toEqual([`每页条数必须是 1–${PAGE_SIZE_MAX} 的整数`]);
    expect(errors({ pageSize: 'x' })).toHaveLength(1);
  });
});
