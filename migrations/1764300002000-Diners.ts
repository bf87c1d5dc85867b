import { MigrationInterface, QueryRunner } from 'typeorm';

export class Diners1764300002000 implements MigrationInterface {
  name = 'Diners1764300002000';

  public async up(q: QueryRunner): Promise<void> {
    // SPEC §7: the ID number is stored only encrypted (AES-256-GCM) and found through a keyed HMAC.
    await q.query(`
      CREATE TABLE diners (
        id serial PRIMARY KEY,
        subdistrict_id integer NOT NULL REFERENCES subdistricts(id),
        name text NOT NULL CHECK (length(btrim(name)) > 0),
        id_number_enc bytea NOT NULL,
        id_number_hmac bytea NOT NULL,
        id_number_masked text NOT NULL,
        birth_date date NOT NULL,
        sex char(1) NOT NULL CHECK (sex IN ('M', 'F')),
        phone text NULL,
        community text NULL,
        card_no text NULL CHECK (card_no IS NULL OR length(card_no) BETWEEN 1 AND 64),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED', 'MOVED_AWAY', 'DECEASED')),
        status_effective_from date NULL,
        status_note text NULL,
        registered_canteen_id integer NULL REFERENCES canteens(id),
        registered_by integer NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (status = 'ACTIVE' OR status_effective_from IS NOT NULL),
        UNIQUE (subdistrict_id, id_number_hmac)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX diners_card_no_key ON diners (subdistrict_id, card_no) WHERE card_no IS NOT NULL`,
    );
    await q.query(`CREATE INDEX diners_name_idx ON diners (subdistrict_id, name)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE diners`);
  }
}
