#!/usr/bin/env bash
# Starts (or stops) a project-local PostgreSQL and Redis for development and tests.
# Usage: scripts/services.sh start|stop|status
# Uses the installed server binaries and installs postgresql / redis-server from apt when missing.
# Running `start` twice is harmless. Ports: PG_PORT (default 54329), REDIS_PORT (default 63799).
# Everything it says goes to standard error: functions whose output is captured ($(pg_bin)) print only their answer.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
LOCAL_DIR=${LOCAL_DIR:-$ROOT/.local}

log() { printf '[services] %s\n' "$*" >&2; }

apt_install() { bash "$ROOT/scripts/apt-install.sh" "$@" >&2; }

# The newest installed PostgreSQL's bin folder, or nothing.
newest_pg_bin() {
  local d found=""
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && found="$found$d"$'\n'; done
  printf '%s' "$found" | sort -V | tail -n 1
}

pg_bin() {
  local d
  d=$(newest_pg_bin)
  if [ -z "$d" ]; then
    apt_install postgresql
    d=$(newest_pg_bin)
  fi
  [ -n "$d" ] || { log "no PostgreSQL server binaries after installing postgresql"; exit 1; }
  echo "$d"
}

redis_bin() {
  if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server; fi
  command -v redis-server
}

# PostgreSQL refuses to run as root, so its data folder must be reachable by the `postgres` user.
# A project checked out under a private folder (mktemp -d is mode 700) is not: fall back to /var/tmp.
pg_dir() {
  local want="$LOCAL_DIR/pg"
  mkdir -p "$LOCAL_DIR"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$LOCAL_DIR" 2>/dev/null; then
    want="/var/tmp/happy-canteen-pg-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)"
  fi
  echo "$want"
}

# From / : the postgres user may not be allowed into the project folder.
run_pg() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

start_pg() {
  local bin dir
  bin=$(pg_bin)
  # A server already answering on the port (docker compose, or this project's cluster from another checkout) is used as is.
  if "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -t 2 >/dev/null 2>&1; then
    log "PostgreSQL already listening on 127.0.0.1:$PG_PORT; using it"
    return 0
  fi
  dir=$(pg_dir)
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then apt_install postgresql; fi
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $dir/data"
    run_pg mkdir -p "$dir/data" "$dir/run"
    run_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  run_pg mkdir -p "$dir/run"
  if run_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    log "PostgreSQL already running on port $PG_PORT"
  else
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    run_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
      -o "-p $PG_PORT -k $dir/run -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=${PG_FSYNC:-on}" >/dev/null
  fi
  "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -t 30 >/dev/null
}

stop_pg() {
  local bin dir
  bin=$(pg_bin)
  dir=$(pg_dir)
  if [ -f "$dir/data/PG_VERSION" ] && run_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    log "stopping PostgreSQL"
    run_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
}

redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

start_redis() {
  local bin
  bin=$(redis_bin)
  mkdir -p "$LOCAL_DIR/redis"
  if redis_cli ping >/dev/null 2>&1; then
    log "Redis already running on port $REDIS_PORT"
  else
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    # noeviction: BullMQ loses jobs under any evicting policy.
    "$bin" --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$LOCAL_DIR/redis" \
      --pidfile "$LOCAL_DIR/redis/redis.pid" --logfile "$LOCAL_DIR/redis/redis.log" \
      --maxmemory-policy noeviction --appendonly yes --save ""
    for _ in $(seq 1 50); do redis_cli ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  redis_cli ping >/dev/null
}

stop_redis() {
  if command -v redis-cli >/dev/null 2>&1 && redis_cli ping >/dev/null 2>&1; then
    log "stopping Redis"
    redis_cli shutdown nosave >/dev/null 2>&1 || true
  fi
}

case "${1:-start}" in
  start) start_pg; start_redis; log "PostgreSQL 127.0.0.1:$PG_PORT, Redis 127.0.0.1:$REDIS_PORT ready" ;;
  stop) stop_redis; stop_pg ;;
  status)
    if redis_cli ping >/dev/null 2>&1; then log "Redis up on $REDIS_PORT"; else log "Redis down"; fi
    if "$(pg_bin)/pg_isready" -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; then log "PostgreSQL up on $PG_PORT"; else log "PostgreSQL down"; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
