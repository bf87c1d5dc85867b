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
// How long a run waits for the transactions that hold ids below its horizon to end, and how often it looks.
const HORIZON_WAIT_MS = 1_000;
const HORIZON_POLL_MS = 20;

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

  /**
   * The id up to which every entry is committed or rolled back, so that no entry can later appear below a sealed one
   * (verify would name it slipped in): the last id handed out, once the transactions that were writing entries when
   * it was read have ended. Null when one of them is still open after HORIZON_WAIT_MS: its entry holds its place and
   * the next run tries again.
   */
  async sealHorizon(): Promise<string | null> {
    const issued = await lastIssuedEntryId(this.dataSource);
    let open = await auditWriters(this.dataSource);
    for (const until = Date.now() + HORIZON_WAIT_MS; open.length > 0;) {
      if (Date.now() >= until) return null;
      await new Promise((r) => setTimeout(r, HORIZON_POLL_MS));
      open = await auditWriters(this.dataSource, open);
    }
    return issued;
  }

  /** Seals the entries older than `lagMs` that follow the chain, up to the horizon, a block per transaction. */
  async sealPending(lagMs: number): Promise<{ blocks: number; entries: number }> {
    let blocks = 0;
    let entries = 0;
    const horizon = await this.sealHorizon();
    if (horizon === null) {
      this.logger.log('an open transaction holds audit entries; sealing waits for the next run');
      return { blocks, entries };
    }
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
