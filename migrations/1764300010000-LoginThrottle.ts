import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The login throttle lives in PostgreSQL, not Redis: login keeps working while Redis is away, and a slot is reserved
 * by one atomic upsert before the password is checked, so no parallel burst checks more passwords than the limit.
 * Known addresses let a user log in where they logged in before while strangers are throttled (docs/API.md).
 */
export class LoginThrottle1764300010000 implements MigrationInterface {
  name = 'LoginThrottle1764300010000';

  public async up(q: QueryRunner): Promise<void> {
    // One row per counted bucket ("user:<sha256 of the name>", "addr:<ip>", "pair:<user id>@<ip>").
    await q.query(`
      CREATE TABLE login_throttle (
        bucket text PRIMARY KEY,
        failures integer NOT NULL CHECK (failures >= 0),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX login_throttle_expires_idx ON login_throttle (expires_at)`);
    await q.query(`
      CREATE TABLE login_known_addresses (
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        ip text NOT NULL,
        last_login_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, ip)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_known_addresses`);
    await q.query(`DROP TABLE login_throttle`);
  }
}
