-- One meal recorded, as the till's INSERT (bench/till-recording.sql: the meal and its audit entry in one statement,
-- ON CONFLICT DO NOTHING, through the month-lock trigger), at a random canteen of the statistics bench's city, for a
-- random diner, on one of the last 300 days (in 2026, outside the months bench/stats.ts times).
\set c random(:cmin, :cmax)
\set d random(:dmin, :dmax)
\set back random(1, 300)
\set k random(1, 9000000000000000)
WITH m AS (
  INSERT INTO meals (subdistrict_id, canteen_id, diner_id, meal_date, meal_period, served_at, price_fen,
      subsidy_fen, payable_fen, age, tier, reason, policy_version_id, subsidy_slot, verification,
      cashier_user_id, idempotency_key, request_hash)
  SELECT c.subdistrict_id, c.id, :d, (now() AT TIME ZONE 'Asia/Shanghai')::date - :back::int, 'LUNCH', now(), 1200, 200,
      1000, 75, '70_79', 'TIER_70_79', 1, 'DAY', 'ID_CARD_READER', :cashier, 'pg' || :k, 'h'
    FROM canteens c WHERE c.id = :c
  ON CONFLICT DO NOTHING RETURNING id, canteen_id, subdistrict_id
), a AS (
  INSERT INTO audit_log (actor_user_id, actor_username, action, entity_type, entity_id, subdistrict_id, canteen_id, ip, details)
  SELECT :cashier, 'bench', 'MEAL_RECORDED', 'meal', m.id::text, m.subdistrict_id, m.canteen_id, '127.0.0.1',
      '{"dinerId":1,"mealPeriod":"LUNCH","priceFen":1200,"subsidyFen":200,"reason":"TIER_70_79"}'
    FROM m
)
SELECT id FROM m;
