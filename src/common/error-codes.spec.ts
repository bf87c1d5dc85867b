import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, badRequest, conflict, forbidden, notFound } from './app-error';
import { ERROR_CODES, ErrorCode, IMPORT_ROW_CODES } from './error-codes';

const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{4,}$/;

/**
 * The codes docs/API.md documents, by one rule: every Markdown table whose header's first cell is `code` (errors)
 * or `row code` (the import's per-row codes); in its body rows, every backticked UPPER_SNAKE word of the first cell.
 * The second cell of an error table is the status: one for all codes of the cell, or one per code ("404 / 403").
 */
function documentedCodes(markdown: string): {
  errors: Map<string, Set<string>>;
  rowCodes: Set<string>;
} {
  const errors = new Map<string, Set<string>>();
  const rowCodes = new Set<string>();
  let table: 'errors' | 'rows' | 'other' | null = null;
  let headerSeen = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      table = null;
      continue;
    }
    const cells = line
      .slice(1, line.lastIndexOf('|'))
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    if (table === null) {
      table = cells[0] === 'code' ? 'errors' : cells[0] === 'row code' ? 'rows' : 'other';
      headerSeen = false;
      continue;
    }
    if (!headerSeen) {
      headerSeen = true; // the |---|---| line
      continue;
    }
    if (table === 'other') continue;
    const codes = [...cells[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((c) => CODE.test(c));
    if (codes.length === 0) throw new Error(`A code table row without a code: ${line}`);
    if (table === 'rows') {
      for (const c of codes) rowCodes.add(c);
      continue;
    }
    const statuses = cells[1].split('/').map((s) => s.trim());
    if (statuses.length !== 1 && statuses.length !== codes.length) {
      throw new Error(`Give one status, or one per code: ${line}`);
    }
    codes.forEach((c, i) => {
      const status = statuses.length === 1 ? statuses[0] : statuses[i];
      errors.set(c, (errors.get(c) ?? new Set()).add(status));
    });
  }
  return { errors, rowCodes };
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

describe('error code catalogue', () => {
  const docs = documentedCodes(readFileSync(join(__dirname, '../../docs/API.md'), 'utf8'));

  it('lists the same error codes as the code tables of docs/API.md', () => {
    expect(sorted(docs.errors.keys())).toEqual(sorted(Object.keys(ERROR_CODES)));
  });

  it('gives each code the status docs/API.md gives it', () => {
    const mismatches = [...docs.errors].filter(([code, statuses]) => {
      const status = ERROR_CODES[code as ErrorCode]?.status;
      return statuses.size !== 1 || ![...statuses][0].startsWith(status === null ? '4xx' : String(status));
    });
    expect(mismatches.map(([code, s]) => `${code}: ${[...s].join(', ')}`)).toEqual([]);
  });

  it('lists the same import row codes as the row code table of docs/API.md', () => {
    expect(sorted(docs.rowCodes)).toEqual(sorted(Object.keys(IMPORT_ROW_CODES)));
  });

  it('has a zh-CN default message for every code', () => {
    const messages = [...Object.values(ERROR_CODES).map((e) => e.message), ...Object.values(IMPORT_ROW_CODES)];
    expect(messages.filter((m) => !/[\u4e00-\u9fff]/.test(m))).toEqual([]);
  });

  it('names every code in upper snake case', () => {
    const all = [...Object.keys(ERROR_CODES), ...Object.keys(IMPORT_ROW_CODES)];
    expect(all.filter((c) => !CODE.test(c))).toEqual([]);
  });
});

describe('documentedCodes', () => {
  const md = [
    'Prose mentioning `NOT_A_CODE_HERE`.',
    '',
    '| code | status | when |',
    '| ---- | ------ | ---- |',
    '| `A_ONE` / `A_TWO` | 404 / 403 | x |',
    '| `B_ONE` | 400 | mentions `C_IN_TEXT` |',
    '',
    '| call | who |',
    '| ---- | --- |',
    '| `GET /x` `D_OTHER` | any |',
    '',
    '| row code | reason |',
    '| -------- | ------ |',
    '| `ROW_ONE` | y |',
  ].join('\n');

  it('reads the first cell of code tables only, with their statuses', () => {
    const found = documentedCodes(md);
    expect(sorted(found.errors.keys())).toEqual(['A_ONE', 'A_TWO', 'B_ONE']);
    expect([...found.errors.get('A_TWO')!]).toEqual(['403']);
    expect(sorted(found.rowCodes)).toEqual(['ROW_ONE']);
  });

  it('refuses a code row whose statuses do not pair with its codes', () => {
    expect(() => documentedCodes('| code | status |\n| - | - |\n| `A_ONE` / `A_TWO` / `A_3X` | 404 / 403 |')).toThrow(
      /one per code/,
    );
  });
});

describe(AppError.name, () => {
  it('takes its status from the code and the catalogue message by default', () => {
    const e = badRequest('INVALID_MONTH');
    expect(e.getStatus()).toBe(400);
    expect(e.getResponse()).toEqual({
      statusCode: 400,
      code: 'INVALID_MONTH',
      message: ERROR_CODES.INVALID_MONTH.message,
    });
    expect(notFound('CLAIM_NOT_FOUND', '没有').getResponse()).toMatchObject({ statusCode: 404, message: '没有' });
    expect(conflict('CARD_NO_TAKEN', undefined, { x: 1 }).getResponse()).toMatchObject({ details: { x: 1 } });
    expect(forbidden().getResponse()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
  });

  // Never called: `npm run typecheck` proves these do not compile.
  function _refusedByTheCompiler(): AppError[] {
    return [
      // @ts-expect-error an undeclared code
      badRequest('MONTH_INVALID'),
      // @ts-expect-error a code of another status
      badRequest('CLAIM_NOT_FOUND'),
      // @ts-expect-error a status the catalogue does not give the code
      new AppError(404, 'INVALID_MONTH', '月份'),
      // @ts-expect-error ERROR has no status of its own: only the filter sends it
      new AppError(400, 'ERROR'),
    ];
  }
  void _refusedByTheCompiler;
});
