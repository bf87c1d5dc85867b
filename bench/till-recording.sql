-- pgbench: the very statements one POST /api/canteens/{id}/meals runs (see src/auth/auth.service.ts resolve() and
-- src/meals/meals.service.ts record()), against the same tables and indexes. The only addition is the inner
-- SELECT that fetches a diner's HMAC by id: pgbench cannot compute the HMAC the app computes in process.
\set d random(1, :ndiners)
\set c random(1, 6)
\set k random(1, 9000000000000000)
SELECT u.id, u.username, u.role, u.subdistrict_id,
       ARRAY(SELECT uc.canteen_id FROM user_canteens uc WHERE uc.user_id = u.id ORDER BY uc.canteen_id) AS canteen_ids
  FROM sessions s JOIN users u ON u.id = s.user_id
 WHERE s.token_hash = sha256('bench-token'::bytea) AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active;
BEGIN;
SELECT c.id, c.subdistrict_id, c.name, c.active, c.breakfast_price_fen, c.lunch_price_fen, c.dinner_price_fen, c.period_hours,
       pg_advisory_xact_lock_shared(hashtext('month_lock:' || c.subdistrict_id || ':' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')))::text AS _l
  FROM canteens c WHERE c.id = :c;
SELECT EXISTS (SELECT 1 FROM month_locks l WHERE l.subdistrict_id = 1 AND l.month = to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')
                 AND l.unlocked_at IS NULL AND (l.canteen_id IS NULL OR l.canteen_id = :c)) AS locked,
       e.id AS existing_id, e.request_hash AS existing_hash,
       d.id AS diner_id, d.name, d.id_number_masked, d.birth_date::text AS birth_date, d.status,
       d.status_effective_from::text AS status_effective_from
  FROM (SELECT 1) one
  LEFT JOIN diners d ON d.subdistrict_id = 1 AND d.id_number_hmac = (SELECT id_number_hmac FROM diners WHERE id = :d)
  LEFT JOIN meals e ON e.canteen_id = :c AND e.idempotency_key = 'pg' || :k;
INSERT INTO meals (subdistrict_id, canteen_id, diner_id, meal_date, meal_period, served_at, price_fen,
    subsidy_fen, payable_fen, age, tier, reason, policy_version_id, subsidy_slot, verification,
    cashier_user_id, idempotency_key, request_hash)
VALUES (1, :c, :d, (now() AT TIME ZONE 'Asia/Shanghai')::date, 'LUNCH', now(), 1200, 200, 1000, 75, '70_79', 'TIER_70_79', 1, 'DAY',
    'ID_CARD_READER', 1, 'pg' || :k, 'h')
ON CONFLICT DO NOTHING RETURNING id;
INSERT INTO audit_log (actor_user_id, actor_username, action, entity_type, entity_id, subdistrict_id, canteen_id, ip, details)
VALUES (1, 'bench', 'MEAL_RECORDED', 'meal', '1', 1, :c, '127.0.0.1',
    '{"dinerId":1,"mealDate":"2026-11-28","mealPeriod":"LUNCH","priceFen":1200,"subsidyFen":200,"reason":"TIER_70_79","verification":"ID_CARD_READER"}');
COMMIT;
