// The audit log's SQL beyond the one INSERT (which stays in AuditService, a prepared statement on the till's path):
// reading entries for the hash chain and writing and reading its blocks.
import { DataSource, EntityManager } from 'typeorm';
import { ChainEntry, SealedBlock } from './audit-chain';

type Db = DataSource | EntityManager;

// Every column, in the rendering the chain digests (audit-chain.ts ChainEntry). `id` comes out as text, so order by
// audit_log.id (the number), never by the output column.
const CHAIN_COLUMNS = `id::text AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
  actor_user_id, actor_username, action, entity_type, entity_id, subdistrict_id, canteen_id, ip, details::text AS details`;

// Serialises sealers (several workers run the same recurring job): one block at a time follows the last.
const SEAL_LOCK_KEY = 7_018_001;

export async function lockSealing(m: EntityManager): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock($1)`, [SEAL_LOCK_KEY]);
}

/** The last block's hash and last entry id, or null before the first block. */
export async function lastSeal(db: Db): Promise<{ hash: string; lastEntryId: string } | null> {
  const [row]: { hash: string; last_entry_id: string }[] = await db.query(
    `SELECT hash, last_entry_id::text AS last_entry_id FROM audit_seals ORDER BY id DESC LIMIT 1`,
  );
  return row ? { hash: row.hash, lastEntryId: row.last_entry_id } : null;
}

/**
 * The highest id handed out so far (the sequence's, committed or not), read before `auditWriters`: a transaction that
 * took an id up to it and has not ended yet is then among the writers.
 */
export async function lastIssuedEntryId(db: Db): Promise<string> {
  const [row]: { last: string }[] = await db.query(
    `SELECT (CASE WHEN is_called THEN last_value ELSE last_value - 1 END)::text AS last FROM audit_log_id_seq`,
  );
  return row.last;
}

/**
 * The transactions (virtual ids) of other sessions that hold ROW EXCLUSIVE on this database's audit_log (a copy made
 * from a template has the same relation oid): those that have written an entry, or are writing one, and have not ended. An INSERT takes that lock before it takes its id, and keeps it to
 * the end of the transaction.
 */
export async function auditWriters(db: Db): Promise<string[]> {
  const rows: { vxid: string }[] = await db.query(
    `SELECT DISTINCT virtualtransaction AS vxid FROM pg_locks
      WHERE locktype = 'relation' AND mode = 'RowExclusiveLock' AND relation = 'audit_log'::regclass
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND pid <> pg_backend_pid()`,
  );
  return rows.map((r) => r.vxid);
}

/**
 * The next entries to seal, in id order: after `afterId`, up to `throughId` (every id up to it is committed or rolled
 * back: see AuditChainService.sealHorizon), and before the first entry whose transaction began less than `lagMs` ago.
 */
export async function entriesToSeal(
  db: Db,
  afterId: string,
  throughId: string,
  lagMs: number,
  limit: number,
): Promise<ChainEntry[]> {
  return db.query(
    `SELECT ${CHAIN_COLUMNS} FROM audit_log
      WHERE id > $1 AND id <= $4
        AND id < COALESCE((SELECT min(id) FROM audit_log
                            WHERE id > $1 AND at >= now() - make_interval(secs => $2::double precision / 1000)),
                          9223372036854775807)
      ORDER BY audit_log.id LIMIT $3`,
    [afterId, lagMs, limit, throughId],
  );
}

export async function insertSeal(m: EntityManager, b: SealedBlock): Promise<void> {
  await m.query(
    `INSERT INTO audit_seals (first_entry_id, last_entry_id, entry_ids, entry_digests, prev_hash, hash)
     VALUES ($1, $2, $3::bigint[], $4, $5, $6)`,
    [b.firstEntryId, b.lastEntryId, b.entryIds, b.entryDigests, b.prevHash, b.hash],
  );
}

interface SealRow {
  id: number;
  first_entry_id: string;
  last_entry_id: string;
  entry_ids: string[];
  entry_digests: Buffer;
  prev_hash: string;
  hash: string;
}

/** Blocks after block `afterId`, in chain order, a page at a time. */
export async function sealsAfter(db: Db, afterId: number, limit: number): Promise<(SealedBlock & { id: number })[]> {
  const rows: SealRow[] = await db.query(
    `SELECT id, first_entry_id::text AS first_entry_id, last_entry_id::text AS last_entry_id,
            entry_ids::text[] AS entry_ids, entry_digests, prev_hash, hash
       FROM audit_seals WHERE id > $1 ORDER BY id LIMIT $2`,
    [afterId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    firstEntryId: r.first_entry_id,
    lastEntryId: r.last_entry_id,
    entryIds: r.entry_ids,
    entryDigests: r.entry_digests,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}

/**
 * The entries now in a block's range, in id order: after the previous block's last entry, up to its own last. The
 * ranges of consecutive blocks touch, so an entry slipped in between two blocks falls in the later one.
 */
export async function entriesInRange(db: Db, afterId: string, lastId: string): Promise<ChainEntry[]> {
  return db.query(`SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE id > $1 AND id <= $2 ORDER BY audit_log.id`, [
    afterId,
    lastId,
  ]);
}

/** Entries after the last sealed one (not yet in the chain). */
export async function unsealedCount(db: Db, afterId: string): Promise<number> {
  const [row]: { n: string }[] = await db.query(`SELECT count(*) AS n FROM audit_log WHERE id > $1`, [afterId]);
  return Number(row.n);
}
