import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §7: the audit log is tamper-evident. A background job seals its entries, in id order, into blocks; each
 * block keeps the ids and SHA-256 digests of its entries and a hash over the previous block's hash and those digests,
 * so altering, removing or slipping in an entry (or a block) breaks the chain from there on. Blocks are append-only
 * like the log itself (the same trigger function), and the chain cannot fork: one successor per block.
 */
export class AuditSeals1764300300000 implements MigrationInterface {
  name = 'AuditSeals1764300300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_seals (
        id serial NOT NULL,
        first_entry_id bigint NOT NULL,
        last_entry_id bigint NOT NULL,
        entry_ids bigint[] NOT NULL,
        entry_digests bytea NOT NULL,
        prev_hash character(64) NOT NULL,
        hash character(64) NOT NULL,
        sealed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT audit_seals_pkey PRIMARY KEY (id),
        CONSTRAINT audit_seals_check CHECK (first_entry_id <= last_entry_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX audit_seals_prev_hash_key ON audit_seals (prev_hash)`);
    await q.query(`CREATE UNIQUE INDEX audit_seals_last_entry_id_key ON audit_seals (last_entry_id)`);
    await q.query(`
      CREATE TRIGGER audit_seals_no_update_delete BEFORE UPDATE OR DELETE ON audit_seals
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_seals FROM PUBLIC`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_seals`);
  }
}
