import { MigrationInterface, QueryRunner } from 'typeorm';

export class SubsidyPolicy1764300001000 implements MigrationInterface {
  name = 'SubsidyPolicy1764300001000';

  public async up(q: QueryRunner): Promise<void> {
    // SPEC §3: policy is data, effective-dated by meal date. One policy for the deployment.
    await q.query(`
      CREATE TABLE subsidy_policy_versions (
        id serial PRIMARY KEY,
        effective_from date NOT NULL UNIQUE,
        limit_mode text NOT NULL DEFAULT 'PER_DAY' CHECK (limit_mode IN ('PER_DAY', 'PER_PERIOD')),
        tiers jsonb NOT NULL CHECK (jsonb_typeof(tiers) = 'array' AND jsonb_array_length(tiers) > 0),
        note text NULL,
        created_by integer NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A version is immutable once written: meals and claims keep the version they used.
    await q.query(`
      CREATE FUNCTION subsidy_policy_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'subsidy policy versions are immutable' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER subsidy_policy_no_update BEFORE UPDATE ON subsidy_policy_versions
      FOR EACH ROW EXECUTE FUNCTION subsidy_policy_immutable()`);
    await q.query(`
      INSERT INTO subsidy_policy_versions (effective_from, limit_mode, tiers, note)
      VALUES ('2022-08-01', 'PER_DAY',
        '[{"minAge":70,"maxAge":79,"amountFen":200},{"minAge":80,"maxAge":null,"amountFen":400}]',
        '柳园街道幸福食堂老年人就餐补贴：70-79岁每餐2元，80岁以上每餐4元，每人每天补贴一餐')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subsidy_policy_versions`);
    await q.query(`DROP FUNCTION subsidy_policy_immutable()`);
  }
}
