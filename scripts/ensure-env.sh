#!/usr/bin/env bash
# Writes .env from .env.example on first use, with fresh random PII keys. Never overwrites an existing .env:
# the keys must stay the same for as long as the database lives.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ ! -f .env ]; then
  enc=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))')
  mac=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))')
  sed -e "s/^PII_ENCRYPTION_KEY=.*/PII_ENCRYPTION_KEY=$enc/" -e "s/^PII_HMAC_KEY=.*/PII_HMAC_KEY=$mac/" \
    -e "s#^DATABASE_URL=.*#DATABASE_URL=postgres://postgres@127.0.0.1:${PG_PORT:-54329}/happy_canteen#" \
    -e "s#^REDIS_URL=.*#REDIS_URL=redis://127.0.0.1:${REDIS_PORT:-63799}#" \
    -e "s/^ADMIN_PASSWORD=.*/ADMIN_PASSWORD=admin-demo-2022/" .env.example > .env
  chmod 600 .env
  echo "[env] wrote .env with fresh PII keys"
fi
