import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1764300000000 implements MigrationInterface {
  name = 'Foundation1764300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subdistricts (
        id serial PRIMARY KEY,
        name text NOT NULL UNIQUE CHECK (length(btrim(name)) > 0),
        admin_code varchar(6) NULL CHECK (admin_code ~ '^[0-9]{6}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE canteens (
        id serial PRIMARY KEY,
        subdistrict_id integer NOT NULL REFERENCES subdistricts(id),
        name text NOT NULL CHECK (length(btrim(name)) > 0),
        type text NOT NULL CHECK (type IN ('CARE_FACILITY', 'ENTERPRISE')),
        address text NULL,
        opened_on date NULL,
        breakfast_price_fen integer NULL CHECK (breakfast_price_fen >= 0),
        lunch_price_fen integer NULL CHECK (lunch_price_fen >= 0),
        dinner_price_fen integer NULL CHECK (dinner_price_fen >= 0),
        period_hours jsonb NOT NULL DEFAULT '{"BREAKFAST":["05:30","09:30"],"LUNCH":["10:00","14:00"],"DINNER":["16:00","20:00"]}',
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (subdistrict_id, name)
      )`);
    await q.query(`
      CREATE TABLE users (
        id serial PRIMARY KEY,
        username text NOT NULL CHECK (username = lower(btrim(username)) AND length(username) >= 3),
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('CASHIER', 'OPERATOR', 'FINANCE', 'ADMIN')),
        subdistrict_id integer NOT NULL REFERENCES subdistricts(id),
        display_name text NULL,
        active boolean NOT NULL DEFAULT true,
        created_by integer NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON users (username)`);
    await q.query(`
      CREATE TABLE user_canteens (
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        canteen_id integer NOT NULL REFERENCES canteens(id),
        PRIMARY KEY (user_id, canteen_id)
      )`);
    await q.query(`CREATE INDEX user_canteens_canteen_idx ON user_canteens (canteen_id)`);
    // Opaque bearer tokens: only their SHA-256 is stored, so a database dump yields no usable token.
    await q.query(`
      CREATE TABLE sessions (
        token_hash bytea PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NULL,
        ip text NULL
      )`);
    await q.query(`CREATE INDEX sessions_user_idx ON sessions (user_id)`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_user_id integer NULL,
        actor_username text NULL,
        action text NOT NULL,
        entity_type text NULL,
        entity_id text NULL,
        subdistrict_id integer NULL,
        canteen_id integer NULL,
        ip text NULL,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id)`);
    // SPEC §7: the audit log is append-only. The trigger holds even for the owner role the app connects as.
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE user_canteens`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE canteens`);
    await q.query(`DROP TABLE subdistricts`);
  }
}
