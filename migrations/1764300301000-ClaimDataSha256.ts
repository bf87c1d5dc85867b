import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §5: the summary shows the SHA-256 of the claim's data, and asking again when nothing changed answers the
 * existing version instead of making a new one. NULL for claims built before.
 */
export class ClaimDataSha2561764300301000 implements MigrationInterface {
  name = 'ClaimDataSha2561764300301000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claims ADD COLUMN data_sha256 character(64) NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claims DROP COLUMN data_sha256`);
  }
}
