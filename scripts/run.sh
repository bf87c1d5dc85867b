#!/usr/bin/env bash
# The run command: install, start local PostgreSQL + Redis, migrate, load demo data, run API + worker, and end with
# one short block: the URLs, the demo accounts and a few synthetic diners to try at the till.
# Ctrl-C stops the app (the databases keep running; scripts/services.sh stop stops them).
# Settings come from .env (written on first use); a variable set in the environment wins: PORT=3100 bash scripts/run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

say() { printf '[run] %s\n' "$*"; }

bash scripts/install-deps.sh
bash scripts/services.sh start
bash scripts/ensure-env.sh

# shellcheck source=scripts/load-env.sh
. scripts/load-env.sh .env
PORT=${PORT:-3000}

db_name=${DATABASE_URL##*/}
if ! psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1; then
  psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE $db_name" >/dev/null
  say "created database $db_name"
fi

say "building"
npx nest build >/dev/null
npm run --silent build:web >/dev/null
say "migrating"
npx typeorm migration:run -d dist/src/database/data-source.js | grep -E "Migration .* has been|No migrations" || true
say "loading demo data"
mkdir -p .local
node dist/scripts/seed-demo.js >.local/demo-summary.txt

node --enable-source-maps dist/src/worker.js &
worker=$!
node --enable-source-maps dist/src/main.js &
api=$!
stop() {
  trap - INT TERM
  echo
  say "stopping (SIGTERM: requests drain, jobs finish or go back to the queue)"
  kill -TERM "$api" "$worker" 2>/dev/null || true
  wait "$api" "$worker" 2>/dev/null || true
  exit 0
}
trap stop INT TERM

# Readiness over bash's own /dev/tcp: no process per try, so the block follows readiness within a fifth of a second.
ready() {
  local status
  { exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null || return 1
  printf 'GET /api/health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  IFS= read -r -t 2 status <&3 || status=""
  exec 3>&-
  [[ $status == *" 200 "* ]]
}
for _ in $(seq 1 600); do
  if ready; then
    url="http://localhost:$PORT"
    cat <<EOF

  ────────────────────────────────────────────────────────────────────────
  幸福食堂 is running — Ctrl-C stops it
    首页 start            $url/
    收银台 till           $url/till
    站点管理 operator     $url/operator
    补贴申报 finance      $url/finance
    API 文档 docs         $url/api/docs

$(cat .local/demo-summary.txt)
  ────────────────────────────────────────────────────────────────────────

EOF
    break
  fi
  kill -0 "$api" 2>/dev/null || break
  sleep 0.2
done
wait -n "$api" "$worker" || true
stop
