import { continuationName, describeTiers, summaryTitle, uniqueSheetName } from './workbook-format';

describe(uniqueSheetName.name, () => {
  it('keeps a short, clean name as it is', () => {
    expect(uniqueSheetName('明细-东关国际幸福食堂', new Set())).toBe('明细-东关国际幸福食堂');
  });

  it('replaces characters Excel forbids and cuts the name to 31 characters', () => {
    const name = uniqueSheetName(`明细-${'长'.repeat(40)}/[a]:?*`, new Set());
    expect(name).toHaveLength(31);
    expect(name).not.toMatch(/[\\/?*[\]:]/);
  });

  it('adds a suffix when two names collide after truncation, case-insensitively', () => {
    const taken = new Set<string>();
    const a = uniqueSheetName(`${'x'.repeat(40)}A`, taken);
    const b = uniqueSheetName(`${'X'.repeat(40)}B`, taken);
    expect(a).toHaveLength(31);
    expect(b).toBe(`${'X'.repeat(28)}(2)`);
    expect(taken.size).toBe(2);
  });
});

describe('workbook labels', () => {
  it('names continuation sheets from the second on', () => {
    expect(continuationName('明细-A', 1)).toBe('明细-A');
    expect(continuationName('明细-A', 3)).toBe('明细-A（续3）');
  });

  it('writes the SPEC §5 title with the month without a leading zero', () => {
    expect(summaryTitle('柳园街道', '2022-10')).toBe('柳园街道幸福食堂老年人就餐补贴申报表（2022年10月）');
  });

  it('describes the policy tiers in yuan', () => {
    expect(
      describeTiers([
        { minAge: 80, maxAge: null, amountFen: 400 },
        { minAge: 70, maxAge: 79, amountFen: 200 },
      ]),
    ).toBe('70–79岁每餐¥2.00；80岁以上每餐¥4.00');
  });
});
