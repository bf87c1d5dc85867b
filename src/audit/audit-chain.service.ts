import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { checkBlock, GENESIS_HASH, sealBlock } from './audit-chain';
import {
  auditWriters,
  entriesInRange,
  entriesToSeal,
  insertSeal,
  lastIssuedEntryId,
  lastSeal,
  lockSealing,
  sealsAfter,
  unsealedCount,
} from './audit.queries';

// Entries per block, and blocks per run of the job (the rest waits for the next run).
const BLOCK_ENTRIES = 1_000;
const MAX_BLOCKS_PER_RUN = 200;
const VERIFY_PAGE = 50;

/** GET /api/audit/verify. */
export interface AuditVerification {
  ok: boolean;
  /** Entries compared with their seal (up to the first broken one). */
  checkedEntries: number;
  /** The first entry that no longer matches its seal (altered, removed or slipped in), or null. */
  firstBrokenEntryId: string | null;
  blocks: number;
  /** The last entry in the chain; entries after it are not sealed yet. */
  sealedThroughEntryId: string | null;
  unsealedEntries: number;
}

/** SPEC §7: seals audit entries into a hash chain (the worker's recurring job) and verifies the chain. */
@Injectable()
export class AuditChainService {
  private readonly logger = new Logger(AuditChainService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** What the last run saw: the last id handed out, then the transactions writing to the log (see sealHorizon). */
  private seen: { issued: string; writers: string[] } | null = null;

  /**
   * The id up to which every entry is committed or rolled back, so that no entry can later appear below a sealed one
   * (verify would name it slipped in). Every id up to the last one handed out belongs to a transaction that has ended
   * or to one holding a write lock on the log (taken before its id): when none holds one now, that id; else the id
   * the previous run read, once every writer it saw has ended. One look at the lock table per run (it is not free
   * under load: it holds the lock manager's partitions while it reads), no waiting; null when nothing is certain yet
   * (a long transaction's entry holds its place until it ends).
   */
  async sealHorizon(): Promise<string | null> {
    const issued = await lastIssuedEntryId(this.dataSource);
    const writers = await auditWriters(this.dataSource);
    const before = this.seen;
    this.seen = { issued, writers };
    if (writers.length === 0) return issued;
    if (before !== null && !before.writers.some((w) => writers.includes(w))) return before.issued;
    return null;
  }

  /** Seals the entries older than `lagMs` that follow the chain, up to the horizon, a block per transaction. */
  async sealPending(lagMs: number): Promise<{ blocks: number; entries: number }> {
    let blocks = 0;
    let entries = 0;
    const horizon = await this.sealHorizon();
    if (horizon === null) return { blocks, entries };
    for (; blocks < MAX_BLOCKS_PER_RUN; blocks++) {
      const sealed = await this.dataSource.transaction(async (m) => {
        await lockSealing(m);
        const last = await lastSeal(m);
        const next = await entriesToSeal(m, last?.lastEntryId ?? '0', horizon, lagMs, BLOCK_ENTRIES);
        if (next.length === 0) return 0;
        await insertSeal(m, sealBlock(last?.hash ?? GENESIS_HASH, next));
        return next.length;
      });
      if (sealed === 0) break;
      entries += sealed;
    }
    if (entries > 0) this.logger.log(`sealed ${entries} audit entries in ${blocks} blocks`);
    return { blocks, entries };
  }

  /** Recomputes the chain from the first block and names the first entry that no longer matches. */
  async verify(): Promise<AuditVerification> {
    let prev = GENESIS_HASH;
    let afterBlock = 0;
    let blocks = 0;
    let checkedEntries = 0;
    let sealedThrough: string | null = null;
    for (;;) {
      const page = await sealsAfter(this.dataSource, afterBlock, VERIFY_PAGE);
      if (page.length === 0) break;
      for (const block of page) {
        blocks++;
        const entries = await entriesInRange(this.dataSource, sealedThrough ?? '0', block.lastEntryId);
        const result = checkBlock(block, prev, entries);
        checkedEntries += result.checked;
        if (result.brokenEntryId !== null) {
          const last = (await lastSeal(this.dataSource))?.lastEntryId ?? null;
          return {
            ok: false,
            checkedEntries,
            firstBrokenEntryId: result.brokenEntryId,
            blocks,
            sealedThroughEntryId: last,
            unsealedEntries: await unsealedCount(this.dataSource, last ?? '0'),
          };
        }
        prev = block.hash;
        sealedThrough = block.lastEntryId;
        afterBlock = block.id;
      }
    }
    return {
      ok: true,
      checkedEntries,
      firstBrokenEntryId: null,
      blocks,
      sealedThroughEntryId: sealedThrough,
      unsealedEntries: await unsealedCount(this.dataSource, sealedThrough ?? '0'),
    };
  }
}
