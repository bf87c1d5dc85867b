#!/usr/bin/env bash
# The run command: install, start local PostgreSQL + Redis, migrate, load demo data, run API + worker.
# Ctrl-C stops the app (the databases keep running; scripts/services.sh stop stops them).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

bash scripts/install-deps.sh
bash scripts/services.sh start
bash scripts/ensure-env.sh
set -a
# shellcheck disable=SC1091
. ./.env
set +a

db_name=${DATABASE_URL##*/}
if ! psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1; then
  psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE $db_name" >/dev/null
  echo "[run] created database $db_name"
fi

echo "[run] building"
npx nest build >/dev/null
echo "[run] migrating"
npx typeorm migration:run -d dist/src/database/data-source.js | grep -E "Migration .* has been|No migrations" || true
echo "[run] loading demo data"
node dist/scripts/seed-demo.js

node --enable-source-maps dist/src/worker.js &
worker=$!
node --enable-source-maps dist/src/main.js &
api=$!
stop() {
  trap - INT TERM
  echo
  echo "[run] stopping (SIGTERM: requests drain, jobs finish or go back to the queue)"
  kill -TERM "$api" "$worker" 2>/dev/null || true
  wait "$api" "$worker" 2>/dev/null || true
  exit 0
}
trap stop INT TERM
wait -n "$api" "$worker" || true
stop
