import { blockHash, ChainEntry, checkBlock, entryDigest, GENESIS_HASH, sealBlock } from './audit-chain';

const entry = (id: number, details = '{}'): ChainEntry => ({
  id: String(id),
  at: '2026-12-01T02:00:00.123456Z',
  actor_user_id: 1,
  actor_username: 'admin',
  action: 'LOGIN',
  entity_type: 'user',
  entity_id: '1',
  subdistrict_id: 1,
  canteen_id: null,
  ip: '127.0.0.1',
  details,
});

describe('audit hash chain', () => {
  const entries = [entry(1), entry(2), entry(4)];
  const block = sealBlock(GENESIS_HASH, entries);

  it('digests every column: changing any one changes the digest', () => {
    const base = entryDigest(entry(1));
    const changed: Partial<ChainEntry>[] = [
      { id: '9' },
      { at: '2026-12-01T02:00:00.123457Z' },
      { actor_user_id: 2 },
      { actor_username: 'admim' },
      { action: 'LOGOUT' },
      { entity_type: 'meal' },
      { entity_id: '2' },
      { subdistrict_id: 2 },
      { canteen_id: 1 },
      { ip: '127.0.0.2' },
      { details: '{"a": 1}' },
    ];
    for (const c of changed) expect(entryDigest({ ...entry(1), ...c }).equals(base)).toBe(false);
    expect(entryDigest(entry(1)).equals(base)).toBe(true);
  });

  it('tells null from the text "null"', () => {
    expect(entryDigest({ ...entry(1), ip: null }).equals(entryDigest({ ...entry(1), ip: 'null' }))).toBe(false);
  });

  it('seals entries in order, linked to the previous hash', () => {
    expect(block).toMatchObject({
      firstEntryId: '1',
      lastEntryId: '4',
      entryIds: ['1', '2', '4'],
      prevHash: GENESIS_HASH,
    });
    expect(block.entryDigests).toHaveLength(96);
    expect(block.hash).toBe(blockHash(GENESIS_HASH, block.entryDigests));
    expect(sealBlock(block.hash, [entry(5)]).hash).not.toBe(sealBlock(GENESIS_HASH, [entry(5)]).hash);
  });

  it('holds for the entries it sealed', () => {
    expect(checkBlock(block, GENESIS_HASH, entries)).toEqual({ checked: 3, brokenEntryId: null });
  });

  it('names an altered entry', () => {
    expect(checkBlock(block, GENESIS_HASH, [entry(1), entry(2, '{"x": 1}'), entry(4)])).toEqual({
      checked: 1,
      brokenEntryId: '2',
    });
  });

  it('names a removed entry, and one slipped in', () => {
    expect(checkBlock(block, GENESIS_HASH, [entry(1), entry(4)]).brokenEntryId).toBe('2');
    expect(checkBlock(block, GENESIS_HASH, [entry(1), entry(2)]).brokenEntryId).toBe('4');
    expect(checkBlock(block, GENESIS_HASH, [entry(1), entry(2), entry(3), entry(4)]).brokenEntryId).toBe('3');
    expect(checkBlock(block, GENESIS_HASH, [...entries, entry(5)]).brokenEntryId).toBe('5');
  });

  it('breaks at the first entry of a block whose link or hash was changed', () => {
    expect(checkBlock(block, 'f'.repeat(64), entries)).toEqual({ checked: 0, brokenEntryId: '1' });
    expect(checkBlock({ ...block, hash: 'a'.repeat(64) }, GENESIS_HASH, entries).brokenEntryId).toBe('1');
    const digests = Buffer.from(block.entryDigests);
    digests[40] ^= 1;
    expect(checkBlock({ ...block, entryDigests: digests }, GENESIS_HASH, entries).brokenEntryId).toBe('1');
  });
});
