#!/usr/bin/env bash
# The test command: install, start local PostgreSQL + Redis (+ Chromium for page tests), then
# format check, lint, type check, unit and e2e suites (npm run check). Exits non-zero on any failure.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

bash scripts/install-deps.sh
if ! command -v chromium >/dev/null 2>&1; then
  echo "[test] installing chromium from apt (page tests drive it through playwright-core)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
fi
bash scripts/services.sh start
export PG_PORT=${PG_PORT:-54329} REDIS_PORT=${REDIS_PORT:-63799}
npm run check
