import fc from 'fast-check';
import { thrownBy } from '../../test/support/thrown';
import { ROLES } from '../common/enums';
import { AuthUser } from './auth-user';
import { canReachCanteen, canReachSubdistrict, positional, reachableCanteen, reachSql } from './access';

const user = (o: Partial<AuthUser> = {}): AuthUser => ({
  id: 7,
  username: 'u',
  role: 'OPERATOR',
  subdistrictId: 1,
  canteenIds: [10],
  ...o,
});

describe(canReachCanteen.name, () => {
  it('lets admins reach every canteen', () => {
    expect(canReachCanteen(user({ role: 'ADMIN', canteenIds: [] }), { id: 99, subdistrictId: 5 })).toBe(true);
  });

  it('lets finance reach the canteens of its own sub-district only', () => {
    const finance = user({ role: 'FINANCE', canteenIds: [] });
    expect(canReachCanteen(finance, { id: 11, subdistrictId: 1 })).toBe(true);
    expect(canReachCanteen(finance, { id: 12, subdistrictId: 2 })).toBe(false);
  });

  it('lets cashiers and operators reach their own canteens only', () => {
    for (const role of ['CASHIER', 'OPERATOR'] as const) {
      expect(canReachCanteen(user({ role }), { id: 10, subdistrictId: 1 })).toBe(true);
      expect(canReachCanteen(user({ role }), { id: 11, subdistrictId: 1 })).toBe(false);
      // A canteen id of theirs in another sub-district (a stale token) is not enough.
      expect(canReachCanteen(user({ role }), { id: 10, subdistrictId: 2 })).toBe(false);
    }
  });
});

describe(canReachSubdistrict.name, () => {
  it('lets everyone reach their own sub-district and admins every one', () => {
    for (const role of ROLES) {
      expect(canReachSubdistrict(user({ role }), 1)).toBe(true);
      expect(canReachSubdistrict(user({ role }), 2)).toBe(role === 'ADMIN');
    }
  });
});

describe(reachableCanteen.name, () => {
  it('answers 404 for no canteen and 403 for one out of reach', () => {
    expect(thrownBy(() => reachableCanteen(user(), undefined))).toMatchObject({ code: 'CANTEEN_NOT_FOUND' });
    expect(thrownBy(() => reachableCanteen(user(), { id: 11, subdistrictId: 1 }))).toMatchObject({
      code: 'CANTEEN_FORBIDDEN',
    });
    const row = { id: 10, subdistrictId: 1, name: 'x' };
    expect(reachableCanteen(user(), row)).toBe(row);
  });
});

describe(reachSql.name, () => {
  // Evaluates the fragment as PostgreSQL would for one row, so the SQL and the predicate are compared directly.
  const evaluate = (sql: string, params: unknown[], row: { sub: number; canteen: number | null }): boolean => {
    const expr = sql
      .replace(/\$(\d+)::int\[\]/g, (_, i: string) => JSON.stringify(params[Number(i) - 1]))
      .replace(/\$(\d+)::int/g, (_, i: string) => String(params[Number(i) - 1]))
      .replace(/\bTRUE\b/g, 'true')
      .replace(/\bAND\b/g, '&&')
      .replace(/r\.canteen = ANY\((\[[^\]]*\])\)/g, (_, list: string) =>
        String(row.canteen !== null && (JSON.parse(list) as number[]).includes(row.canteen)),
      )
      .replace(/r\.sub = (\d+)/g, (_, n: string) => String(row.sub === Number(n)));
    // What is left is a conjunction of true/false, possibly in parentheses.
    const terms = expr.replace(/[()\s]/g, '').split('&&');
    if (!terms.every((t) => t === 'true' || t === 'false')) throw new Error(`cannot evaluate ${sql} as ${expr}`);
    return terms.every((t) => t === 'true');
  };

  it('keeps exactly the rows canReachCanteen and canReachSubdistrict keep', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROLES),
        fc.integer({ min: 1, max: 3 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.option(fc.integer({ min: 1, max: 6 })),
        (role, sub, canteenIds, rowSub, rowCanteen) => {
          const u = user({ role, subdistrictId: sub, canteenIds });
          const row = { sub: rowSub, canteen: rowCanteen };
          const params: unknown[] = [];
          const perCanteen = reachSql(u, { subdistrict: 'r.sub', canteen: 'r.canteen' }, positional(params));
          const expected =
            rowCanteen === null
              ? role === 'ADMIN' || (role === 'FINANCE' && rowSub === sub)
              : canReachCanteen(u, { id: rowCanteen, subdistrictId: rowSub });
          expect(evaluate(perCanteen, params, row)).toBe(expected);
          const params2: unknown[] = [];
          const perSubdistrict = reachSql(u, { subdistrict: 'r.sub' }, positional(params2));
          expect(evaluate(perSubdistrict, params2, row)).toBe(canReachSubdistrict(u, rowSub));
        },
      ),
    );
  });

  it('numbers its parameters after those already bound', () => {
    const params: unknown[] = ['2025-03'];
    expect(reachSql(user(), { subdistrict: 'c.subdistrict_id', canteen: 'c.canteen_id' }, positional(params))).toBe(
      '(c.subdistrict_id = $2::int AND c.canteen_id = ANY($3::int[]))',
    );
    expect(params).toEqual(['2025-03', 1, [10]]);
  });
});
