import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15: sessions slide with use. `expires_at` is now the idle end, moved forward as the session is used;
 * `absolute_expires_at` is the end no use can move (SESSION_IDLE_MINUTES, SESSION_MAX_HOURS). Sessions that exist
 * keep the end they had.
 */
export class SlidingSessions1764300200000 implements MigrationInterface {
  name = 'SlidingSessions1764300200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions ADD COLUMN absolute_expires_at timestamptz`);
    await q.query(`UPDATE sessions SET absolute_expires_at = expires_at`);
    await q.query(`ALTER TABLE sessions ALTER COLUMN absolute_expires_at SET NOT NULL`);
    await q.query(
      `ALTER TABLE sessions ADD CONSTRAINT sessions_expires_check CHECK (expires_at <= absolute_expires_at)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT sessions_expires_check`);
    await q.query(`ALTER TABLE sessions DROP COLUMN absolute_expires_at`);
  }
}
