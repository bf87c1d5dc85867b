import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §5: a subsidised meal of a diner whose status (not active) took effect on or before the meal date blocks the
 * claim "until voided or explained by an operator". The explanation is a row of its own (meals are immutable): one
 * per meal, with who wrote it and when; the edit check then reports the meal as a warning finance acknowledges.
 */
export class MealExplanations1764301000000 implements MigrationInterface {
  name = 'MealExplanations1764301000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meal_explanations (
        meal_id bigint CONSTRAINT meal_explanations_pkey PRIMARY KEY
          CONSTRAINT meal_explanations_meal_id_fkey REFERENCES meals(id),
        subdistrict_id integer NOT NULL CONSTRAINT meal_explanations_subdistrict_id_fkey REFERENCES subdistricts(id),
        canteen_id integer NOT NULL,
        note text NOT NULL CONSTRAINT meal_explanations_note_check CHECK (char_length(btrim(note)) BETWEEN 1 AND 500),
        explained_by integer NOT NULL CONSTRAINT meal_explanations_explained_by_fkey REFERENCES users(id),
        explained_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT meal_explanations_canteen_subdistrict_fkey
          FOREIGN KEY (canteen_id, subdistrict_id) REFERENCES canteens (id, subdistrict_id)
      )`);
    await q.query(`CREATE INDEX meal_explanations_subdistrict_idx ON meal_explanations (subdistrict_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE meal_explanations`);
  }
}
