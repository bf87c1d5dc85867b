import fc from 'fast-check';
import { thrownBy } from '../../test/support/thrown';
import { ROLES } from '../common/enums';
import { AuthUser } from './auth-user';
import {
  canReachCanteen,
  canReachDistrict,
  canReachSubdistrict,
  ownSubdistrict,
  positional,
  reachableCanteen,
  reachSql,
} from './access';

const user = (o: Partial<AuthUser> = {}): AuthUser => ({
  id: 7,
  username: 'u',
  role: 'OPERATOR',
  subdistrictId: 1,
  districtId: 1,
  canteenIds: [10],
  ...o,
});
// Sub-districts 1 and 2 lie in district 1, 3 in district 2.
const districtOf = (sub: number): number => (sub <= 2 ? 1 : 2);
const reviewer = (districtId = 1): AuthUser =>
  user({ role: 'REVIEWER', subdistrictId: null, districtId, canteenIds: [] });

describe(canReachCanteen.name, () => {
  it('lets admins reach every canteen', () => {
    expect(canReachCanteen(user({ role: 'ADMIN', canteenIds: [] }), { id: 99, subdistrictId: 5 })).toBe(true);
  });

  it('lets finance reach the canteens of its own sub-district only', () => {
    const finance = user({ role: 'FINANCE', canteenIds: [] });
    expect(canReachCanteen(finance, { id: 11, subdistrictId: 1 })).toBe(true);
    expect(canReachCanteen(finance, { id: 12, subdistrictId: 2 })).toBe(false);
  });

  it('lets reviewers reach the canteens of their district only, and never a canteen of unknown district', () => {
    expect(canReachCanteen(reviewer(), { id: 11, subdistrictId: 1, districtId: 1 })).toBe(true);
    expect(canReachCanteen(reviewer(), { id: 12, subdistrictId: 2, districtId: 1 })).toBe(true);
    expect(canReachCanteen(reviewer(), { id: 13, subdistrictId: 3, districtId: 2 })).toBe(false);
    expect(canReachCanteen(reviewer(), { id: 11, subdistrictId: 1 })).toBe(false);
  });

  it('keeps finance out of another district even for a canteen id it knows', () => {
    const finance = user({ role: 'FINANCE', canteenIds: [] });
    expect(canReachCanteen(finance, { id: 13, subdistrictId: 3, districtId: 2 })).toBe(false);
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
  it('lets reviewers reach the sub-districts of their district', () => {
    expect(canReachSubdistrict(reviewer(), 1, 1)).toBe(true);
    expect(canReachSubdistrict(reviewer(), 2, 1)).toBe(true);
    expect(canReachSubdistrict(reviewer(), 3, 2)).toBe(false);
    expect(canReachSubdistrict(reviewer(), 1)).toBe(false);
  });

  it('lets everyone reach their own sub-district and admins every one', () => {
    for (const role of ROLES.filter((r) => r !== 'REVIEWER')) {
      expect(canReachSubdistrict(user({ role }), 1)).toBe(true);
      expect(canReachSubdistrict(user({ role }), 2)).toBe(role === 'ADMIN');
    }
  });
});

describe(canReachDistrict.name, () => {
  it('lets admins reach every district and others only their own', () => {
    expect(canReachDistrict(user({ role: 'ADMIN' }), 2)).toBe(true);
    expect(canReachDistrict(reviewer(), 1)).toBe(true);
    expect(canReachDistrict(reviewer(), 2)).toBe(false);
    expect(canReachDistrict(user({ role: 'FINANCE' }), 2)).toBe(false);
  });
});

describe(ownSubdistrict.name, () => {
  it('refuses a reviewer, who has no sub-district of its own', () => {
    expect(ownSubdistrict(user())).toBe(1);
    expect(thrownBy(() => ownSubdistrict(reviewer()))).toMatchObject({ code: 'SUBDISTRICT_FORBIDDEN' });
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
      .replace(/\bFALSE\b/g, 'false')
      .replace(/r\.sub IN \(SELECT sd\.id FROM subdistricts sd WHERE sd\.district_id = (\d+)\)/g, (_, n: string) =>
        String(districtOf(row.sub) === Number(n)),
      )
      .replace(/r\.dist = (\d+)/g, (_, n: string) => String(districtOf(row.sub) === Number(n)))
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
          const u =
            role === 'REVIEWER'
              ? reviewer(districtOf(sub))
              : user({ role, subdistrictId: sub, districtId: districtOf(sub), canteenIds });
          const row = { sub: rowSub, canteen: rowCanteen };
          const params: unknown[] = [];
          const perCanteen = reachSql(u, { subdistrict: 'r.sub', canteen: 'r.canteen' }, positional(params));
          const rowDistrict = districtOf(rowSub);
          const expected =
            rowCanteen === null
              ? canReachSubdistrict(u, rowSub, rowDistrict) &&
                (role === 'ADMIN' || role === 'FINANCE' || role === 'REVIEWER')
              : canReachCanteen(u, { id: rowCanteen, subdistrictId: rowSub, districtId: rowDistrict });
          expect(evaluate(perCanteen, params, row)).toBe(expected);
          const params2: unknown[] = [];
          const perSubdistrict = reachSql(u, { subdistrict: 'r.sub' }, positional(params2));
          expect(evaluate(perSubdistrict, params2, row)).toBe(canReachSubdistrict(u, rowSub, rowDistrict));
          const params3: unknown[] = [];
          const withDistrict = reachSql(
            u,
            { subdistrict: 'r.sub', canteen: 'r.canteen', district: 'r.dist' },
            positional(params3),
          );
          expect(evaluate(withDistrict, params3, row)).toBe(expected);
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
