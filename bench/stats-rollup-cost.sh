#!/usr/bin/env bash
# What the statistics rollups (migration MealStatsRollups) cost the till: pgbench recording one meal per transaction
# (bench/stats-rollup-insert.sql) into the city of `npm run bench:stats` (2M meals), with the rollup triggers enabled
# and disabled in turn, ROUNDS times each, so that both see the same machine. Run after bench:stats, on its database:
#   BENCH_DB=happy_canteen_bench_stats bash bench/stats-rollup-cost.sh      (BENCH_SECONDS=10, BENCH_ROUNDS=3,
#   BENCH_CLIENTS=2: the open-loop load of one lunch rush is far below the 2 clients' closed loop)
# It leaves the bench city's 2026 rollups short of the meals inserted while the triggers were off (the database is
# re-created by the next bench:stats).
set -euo pipefail
DB=${BENCH_DB:-happy_canteen_bench_stats}
PORT=${PG_PORT:-54329}
SECS=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-2}
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
psql_() { psql -h 127.0.0.1 -p "$PORT" -U postgres -d "$DB" -XAtq -c "$1"; }

read -r CMIN CMAX <<<"$(psql_ "SELECT min(id), max(id) FROM canteens" | tr '|' ' ')"
read -r DMIN DMAX <<<"$(psql_ "SELECT min(id), max(id) FROM diners" | tr '|' ' ')"
CASHIER=$(psql_ "SELECT min(id) FROM users")
triggers() { psql_ "ALTER TABLE meals $1 TRIGGER meals_stats_rollup_insert"; }

run() {
  pgbench -h 127.0.0.1 -p "$PORT" -U postgres -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -T "$SECS" \
    -D cmin="$CMIN" -D cmax="$CMAX" -D dmin="$DMIN" -D dmax="$DMAX" -D cashier="$CASHIER" \
    -f "$DIR/stats-rollup-insert.sql" "$DB" 2>/dev/null |
    awk '/latency average/ {lat=$4} /^tps/ {tps=$3} END {printf "%s tps, %s ms average\n", tps, lat}'
}

trap 'triggers ENABLE' EXIT
for r in $(seq 1 "$ROUNDS"); do
  triggers ENABLE
  echo "round $r  rollups on:  $(run)"
  triggers DISABLE
  echo "round $r  rollups off: $(run)"
done
