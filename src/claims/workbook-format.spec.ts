import {
  claimStatusLine,
  continuationName,
  describeTiers,
  dinersNote,
  displayWidth,
  fitWidth,
  pageHeaderFooter,
  summaryTitle,
  uniqueSheetName,
} from './workbook-format';

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

describe(displayWidth.name, () => {
  it('counts CJK and full-width characters as two columns', () => {
    expect(displayWidth('80岁以上')).toBe(8);
    expect(displayWidth('ＡB')).toBe(3);
    expect(fitWidth(['东关国际幸福食堂', 'x'], 10, 40)).toBe(18);
    expect(fitWidth(['长'.repeat(50)], 10, 40)).toBe(40);
  });
});

describe(pageHeaderFooter.name, () => {
  const meta = { subdistrictName: '柳园街道', month: '2025-03', version: 2, monthLocked: true, monthEnded: true };
  it('names sub-district, month, sheet and version, and numbers the pages', () => {
    expect(pageHeaderFooter(meta, '明细-A&B食堂', '2025-04-01 02:00')).toEqual({
      oddHeader: '&L柳园街道 2025年3月&C明细-A&&B食堂&R第2版',
      oddFooter: '&L本月已锁定&C第 &P 页 共 &N 页&R生成于 2025-04-01 02:00',
    });
  });
  it('marks a month not ended as a preview', () => {
    const hf = pageHeaderFooter({ ...meta, monthEnded: false, monthLocked: false }, '汇总', 't');
    expect(hf.oddHeader).toMatch(/&R第2版（预览）$/);
    expect(hf.oddFooter).toMatch(/^&L本月未锁定/);
    expect(claimStatusLine({ version: 1, monthLocked: false, monthEnded: false })).toBe(
      '第1版 · 本月未锁定 · 月份未结束：仅供预览，不能提交',
    );
  });
});

describe(dinersNote.name, () => {
  it('explains a distinct total below the canteens’ sum', () => {
    expect(dinersNote(266, 589)).toContain('少于各食堂人数之和（589 人）');
    expect(dinersNote(3, 3)).toBe('就餐老人数为本月享受补贴的不同老人人数，合计 3 人。');
  });
});
