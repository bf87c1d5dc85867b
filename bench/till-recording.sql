-- pgbench: the very statements one POST /api/canteens/{id}/meals runs (src/auth/auth.service.ts resolve(), then
-- src/meals/meals.service.ts record(): one read, one INSERT of the meal with its audit entry, each in its own
-- implicit transaction), against the same tables, indexes and trigger. Two differences, both for the sake of the
-- measurement: the inner SELECT fetches a diner's HMAC by id (pgbench cannot compute the HMAC the app computes in
-- process), and the meal date is one of the last 300 days, so that pgbench's random diners almost never hit the
-- daily-limit index that the app's meals of today hold (a conflicting insert would skip its work and flatter the
-- ceiling).
\set d random(1, :ndiners)
\set c random(1, 6)
\set back random(1, 300)
\set k random(1, 9000000000000000)
SELECT u.id, u.username, u.role, u.subdistrict_id,
       ARRAY(SELECT uc.canteen_id FROM user_canteens uc WHERE uc.user_id = u.id ORDER BY uc.canteen_id) AS canteen_ids
  FROM sessions s JOIN users u ON u.id = s.user_id
 WHERE s.token_hash = sha256('bench-token'::bytea) AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active;
SELECT c.id, c.subdistrict_id, c.name, c.active, c.breakfast_price_fen, c.lunch_price_fen, c.dinner_price_fen, c.period_hours,
       EXISTS (SELECT 1 FROM month_locks l WHERE l.subdistrict_id = c.subdistrict_id
                  AND l.month = to_char((now() AT TIME ZONE 'Asia/Shanghai')::date - :back::int, 'YYYY-MM')
                  AND l.unlocked_at IS NULL AND (l.canteen_id IS NULL OR l.canteen_id = c.id)) AS locked,
       e.id AS existing_id, e.request_hash AS existing_hash,
       d.id AS diner_id, d.name AS diner_name, d.id_number_masked, d.birth_date::text AS birth_date, d.status,
       d.status_effective_from::text AS status_effective_from,
       EXISTS (SELECT 1 FROM meals s WHERE s.diner_id = d.id AND s.meal_date = (now() AT TIME ZONE 'Asia/Shanghai')::date - :back::int
                  AND s.subsidy_slot = 'DAY' AND s.subsidy_fen > 0 AND s.voided_at IS NULL) AS subsidised
  FROM canteens c
  LEFT JOIN diners d ON d.id_number_hmac = (SELECT id_number_hmac FROM diners WHERE id = :d) AND d.merged_into_id IS NULL
  LEFT JOIN meals e ON e.canteen_id = c.id AND e.idempotency_key = 'pg' || :k
 WHERE c.id = :c;
WITH m AS (
  INSERT INTO meals (subdistrict_id, canteen_id, diner_id, meal_date, meal_period, served_at, price_fen,
      subsidy_fen, payable_fen, age, tier, reason, policy_version_id, subsidy_slot, verification,
      cashier_user_id, idempotency_key, request_hash, outside_hours, offline)
  VALUES (1, :c, :d, (now() AT TIME ZONE 'Asia/Shanghai')::date - :back::int, 'LUNCH', now(), 1200, 200, 1000, 75, '70_79',
      'TIER_70_79', 1, 'DAY', 'ID_CARD_READER', 1, 'pg' || :k, 'h', false, false)
  ON CONFLICT DO NOTHING RETURNING id
), a AS (
  INSERT INTO audit_log (actor_user_id, actor_username, action, entity_type, entity_id, subdistrict_id, canteen_id, ip, details)
  SELECT 1, 'bench', 'MEAL_RECORDED', 'meal', m.id::text, 1, :c, '127.0.0.1',
      '{"dinerId":1,"mealDate":"2026-11-28","mealPeriod":"LUNCH","priceFen":1200,"subsidyFen":200,"reason":"TIER_70_79","verification":"ID_CARD_READER"}'
    FROM m
)
SELECT id FROM m;
