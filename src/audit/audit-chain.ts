// SPEC §7: the audit log's hash chain. Pure (no Nest, no SQL): how an entry is digested, how a block is hashed, and
// where a sealed block and the entries as they are now first disagree. Statements: audit.queries.ts.
import { createHash } from 'node:crypto';

/** The previous hash of the first block. */
export const GENESIS_HASH = '0'.repeat(64);
const DIGEST_BYTES = 32;

/** An audit entry as the chain reads it: every column, as text where PostgreSQL's rendering is the canonical one. */
export interface ChainEntry {
  id: string;
  /** `at` in UTC with microseconds, as PostgreSQL renders it (to_char … 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'). */
  at: string;
  actor_user_id: number | null;
  actor_username: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  subdistrict_id: number | null;
  canteen_id: number | null;
  ip: string | null;
  /** details::text — jsonb's own rendering, with its keys in a fixed order. */
  details: string;
}

/** SHA-256 of the entry's columns as a JSON array, in a fixed order. */
export function entryDigest(e: ChainEntry): Buffer {
  const canonical = JSON.stringify([
    e.id,
    e.at,
    e.actor_user_id,
    e.actor_username,
    e.action,
    e.entity_type,
    e.entity_id,
    e.subdistrict_id,
    e.canteen_id,
    e.ip,
    e.details,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest();
}

/** A block's hash: over the previous block's hash and its entries' digests, in order. */
export function blockHash(prevHash: string, digests: Buffer): string {
  return createHash('sha256').update(prevHash, 'utf8').update(digests).digest('hex');
}

/** A block as stored. */
export interface SealedBlock {
  firstEntryId: string;
  lastEntryId: string;
  entryIds: string[];
  entryDigests: Buffer;
  prevHash: string;
  hash: string;
}

export interface BlockCheck {
  /** Entries compared before the first disagreement (all of the block's when none). */
  checked: number;
  /** The first entry that no longer matches the seal (altered, missing or slipped in); null when the block holds. */
  brokenEntryId: string | null;
}

/**
 * Compares a sealed block with the entries now in its id range (in id order), given the previous block's hash.
 * A block whose own fields do not add up (its link, its hash) is broken at its first entry.
 */
export function checkBlock(block: SealedBlock, expectedPrevHash: string, entries: ChainEntry[]): BlockCheck {
  const sealIntact =
    block.prevHash === expectedPrevHash &&
    block.entryDigests.length === DIGEST_BYTES * block.entryIds.length &&
    blockHash(block.prevHash, block.entryDigests) === block.hash;
  if (!sealIntact) return { checked: 0, brokenEntryId: block.firstEntryId };
  for (let i = 0; i < Math.max(block.entryIds.length, entries.length); i++) {
    const sealedId = block.entryIds[i];
    const entry = entries[i];
    // An entry gone: the sealed id that is missing. An entry slipped in: the one that was never sealed.
    if (entry === undefined) return { checked: i, brokenEntryId: sealedId };
    if (sealedId === undefined || entry.id !== sealedId) {
      const brokenEntryId =
        sealedId === undefined ? entry.id : BigInt(entry.id) < BigInt(sealedId) ? entry.id : sealedId;
      return { checked: i, brokenEntryId };
    }
    const digest = block.entryDigests.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
    if (!entryDigest(entry).equals(digest)) return { checked: i, brokenEntryId: entry.id };
  }
  return { checked: block.entryIds.length, brokenEntryId: null };
}

/** A new block over entries (in id order) following the block with `prevHash`. */
export function sealBlock(prevHash: string, entries: ChainEntry[]): SealedBlock {
  const entryDigests = Buffer.concat(entries.map(entryDigest));
  return {
    firstEntryId: entries[0].id,
    lastEntryId: entries[entries.length - 1].id,
    entryIds: entries.map((e) => e.id),
    entryDigests,
    prevHash,
    hash: blockHash(prevHash, entryDigests),
  };
}
