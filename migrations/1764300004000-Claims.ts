import { MigrationInterface, QueryRunner } from 'typeorm';

export class Claims1764300004000 implements MigrationInterface {
  name = 'Claims1764300004000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE claims (
        id serial PRIMARY KEY,
        subdistrict_id integer NOT NULL REFERENCES subdistricts(id),
        canteen_id integer NULL REFERENCES canteens(id),
        month char(7) NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        version integer NOT NULL CHECK (version >= 1),
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED')),
        progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        totals jsonb NULL,
        file_path text NULL,
        file_size bigint NULL,
        sha256 char(64) NULL,
        requested_by integer NULL REFERENCES users(id),
        requested_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz NULL,
        finished_at timestamptz NULL,
        attempts integer NOT NULL DEFAULT 0,
        error text NULL,
        CHECK (status <> 'DONE' OR (sha256 IS NOT NULL AND file_path IS NOT NULL AND totals IS NOT NULL))
      )`);
    await q.query(`
      CREATE UNIQUE INDEX claims_version_key ON claims (subdistrict_id, COALESCE(canteen_id, 0), month, version)`);
    // The same request while one is queued or running returns the running one (SPEC §5).
    await q.query(`
      CREATE UNIQUE INDEX claims_one_active_key ON claims (subdistrict_id, COALESCE(canteen_id, 0), month)
      WHERE status IN ('QUEUED', 'RUNNING')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE claims`);
  }
}
