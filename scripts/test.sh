#!/usr/bin/env bash
# The test command: install, start local PostgreSQL + Redis (+ Chromium and poppler-utils for page tests, shellcheck),
# then format check, lint, shellcheck, type check, unit and e2e suites (npm run check). Exits non-zero on any failure.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

bash scripts/install-deps.sh
# What a fresh machine lacks, in one apt-get call (services.sh would install the servers one by one otherwise).
need=(chromium poppler-utils shellcheck redis-server)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
bash scripts/apt-install.sh "${need[@]}"
bash scripts/services.sh start
export PG_PORT=${PG_PORT:-54329} REDIS_PORT=${REDIS_PORT:-63799}
npm run check
