#!/usr/bin/env bash
# `make down`: stop what `make up` started (API, worker, Redis, PostgreSQL). Data stays in .data/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
DATA="$PWD/.data"
if [ "${WTT_USE_DOCKER:-auto}" != never ] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  docker compose down; exit 0
fi
for p in api worker; do
  f="$DATA/run/$p.pid"
  if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then log "stopping $p"; kill "$(cat "$f")"; fi
  rm -f "$f"
done
REDIS_PORT="${WTT_REDIS_PORT:-56379}"
redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && { log "stopping Redis"; redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true; }
PGDATA="$DATA/pg"; [ -L "$DATA/pg-location" ] && PGDATA="$(readlink "$DATA/pg-location")"
if PG_BIN="$(pg_bindir)" && [ -s "$PGDATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  log "stopping PostgreSQL"; as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null
fi
