import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §5 review and payment: a claim version of a whole sub-district's ended month moves DRAFT → SUBMITTED →
 * RETURNED | APPROVED → PAID. One version of a sub-district month at a time can be submitted, approved or paid
 * (claims_one_under_review_key). Submitting takes the sub-district's month lock, held by the claim (month_locks.claim_id)
 * until it is returned. claim_events is the claim's history (append-only).
 */
export class ClaimReview1764300700000 implements MigrationInterface {
  name = 'ClaimReview1764300700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE claims
        ADD COLUMN review_status text NOT NULL DEFAULT 'DRAFT',
        ADD COLUMN acknowledgements jsonb NULL,
        ADD COLUMN submitted_at timestamptz NULL,
        ADD COLUMN submitted_by integer NULL,
        ADD COLUMN return_reason text NULL,
        ADD COLUMN paid_on date NULL,
        ADD COLUMN payment_reference text NULL`);
    await q.query(`
      ALTER TABLE claims
        ADD CONSTRAINT claims_review_status_check
          CHECK (review_status IN ('DRAFT', 'SUBMITTED', 'RETURNED', 'APPROVED', 'PAID')),
        ADD CONSTRAINT claims_review_check
          CHECK (review_status = 'DRAFT' OR (status = 'DONE' AND canteen_id IS NULL AND submitted_at IS NOT NULL)),
        ADD CONSTRAINT claims_paid_check
          CHECK ((review_status = 'PAID') = (paid_on IS NOT NULL AND payment_reference IS NOT NULL)),
        ADD CONSTRAINT claims_submitted_by_fkey FOREIGN KEY (submitted_by) REFERENCES users(id)`);
    await q.query(`
      CREATE UNIQUE INDEX claims_one_under_review_key ON claims (subdistrict_id, month)
      WHERE review_status IN ('SUBMITTED', 'APPROVED', 'PAID')`);
    await q.query(`
      ALTER TABLE month_locks
        ADD COLUMN claim_id integer NULL,
        ADD CONSTRAINT month_locks_claim_id_fkey FOREIGN KEY (claim_id) REFERENCES claims(id)`);
    await q.query(`
      CREATE TABLE claim_events (
        id serial NOT NULL,
        claim_id integer NOT NULL,
        action text NOT NULL,
        actor_user_id integer NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        reason text NULL,
        acknowledgements jsonb NULL,
        paid_on date NULL,
        payment_reference text NULL,
        CONSTRAINT claim_events_pkey PRIMARY KEY (id),
        CONSTRAINT claim_events_action_check CHECK (action IN ('SUBMITTED', 'RETURNED', 'APPROVED', 'PAID')),
        CONSTRAINT claim_events_claim_id_fkey FOREIGN KEY (claim_id) REFERENCES claims(id),
        CONSTRAINT claim_events_actor_user_id_fkey FOREIGN KEY (actor_user_id) REFERENCES users(id)
      )`);
    await q.query(`CREATE INDEX claim_events_claim_id_idx ON claim_events (claim_id, id)`);
    // The history is append-only, like the audit log.
    await q.query(`
      CREATE FUNCTION claim_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'claim_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER claim_events_no_update_delete BEFORE UPDATE OR DELETE ON claim_events
      FOR EACH ROW EXECUTE FUNCTION claim_events_append_only()`);
    await q.query(`
      CREATE TRIGGER claim_events_no_truncate BEFORE TRUNCATE ON claim_events
      FOR EACH STATEMENT EXECUTE FUNCTION claim_events_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE claim_events`);
    await q.query(`DROP FUNCTION claim_events_append_only()`);
    await q.query(`ALTER TABLE month_locks DROP COLUMN claim_id`);
    await q.query(`DROP INDEX claims_one_under_review_key`);
    await q.query(`
      ALTER TABLE claims
        DROP CONSTRAINT claims_submitted_by_fkey,
        DROP CONSTRAINT claims_paid_check,
        DROP CONSTRAINT claims_review_check,
        DROP CONSTRAINT claims_review_status_check,
        DROP COLUMN payment_reference,
        DROP COLUMN paid_on,
        DROP COLUMN return_reason,
        DROP COLUMN submitted_by,
        DROP COLUMN submitted_at,
        DROP COLUMN acknowledgements,
        DROP COLUMN review_status`);
  }
}
