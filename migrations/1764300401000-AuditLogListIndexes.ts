import { MigrationInterface, QueryRunner } from 'typeorm';

// The admin's audit log list (GET /api/audit) filters by actor or action and reads newest first: an index each, so
// a filter does not scan a log that grows with every meal.
export class AuditLogListIndexes1764300401000 implements MigrationInterface {
  name = 'AuditLogListIndexes1764300401000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX audit_log_actor_at_idx ON audit_log (actor_username, at)`);
    await q.query(`CREATE INDEX audit_log_action_at_idx ON audit_log (action, at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_log_action_at_idx`);
    await q.query(`DROP INDEX audit_log_actor_at_idx`);
  }
}
