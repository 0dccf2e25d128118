#!/usr/bin/env bash
# `make up`: dependencies, local PostgreSQL and Redis under .data/, migrations,
# demo data (loaded once), then the API and the worker in the background.
# Idempotent: a second run reuses what is already there and running.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

PORT="${PORT:-3000}"
PG_PORT="${WTT_PG_PORT:-55432}"
REDIS_PORT="${WTT_REDIS_PORT:-56379}"
DATA="$PWD/.data"
mkdir -p "$DATA/log" "$DATA/run" "$DATA/redis" "$DATA/mail"

if [ "${WTT_USE_DOCKER:-auto}" != never ] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  log "Docker engine found: docker compose up"
  docker compose up -d --build
  echo "API: http://localhost:${PORT}  (docs: http://localhost:${PORT}/docs)"
  exit 0
fi

ensure_node_modules
PG_BIN="$(ensure_postgres)"
REDIS_SERVER="$(ensure_redis)"
ensure_libreoffice >/dev/null

# --- PostgreSQL -----------------------------------------------------------
# The data directory must be reachable by the server's user; a checkout under a
# private folder (mktemp -d is 0700) is not, so fall back to a folder in /var/tmp.
PGDATA="$DATA/pg"
if [ "$(pg_user)" != "$(id -un)" ] && ! runuser -u "$(pg_user)" -- test -x "$DATA" 2>/dev/null; then
  PGDATA="/var/tmp/wtt-$(printf %s "$PWD" | md5sum | cut -c1-10)/pg"
  ln -sfn "$PGDATA" "$DATA/pg-location"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  log "initialising PostgreSQL in $PGDATA"
  mkdir -p "$PGDATA"; chmod 700 "$PGDATA"
  [ "$(id -u)" = 0 ] && chown -R "$(pg_user)" "$(dirname "$PGDATA")" "$PGDATA"
  pwfile="$(mktemp)"; echo wtt >"$pwfile"; chmod 644 "$pwfile"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U wtt --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
fi
if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" \
    -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1" start >/dev/null
fi
# Least privilege: wtt (the superuser) only administers. Migrations run as wtt_owner, which owns
# the schema; the API and the worker connect as wtt_app (member of wtt_runtime), which owns
# nothing and may only SELECT and INSERT the audit log. README: "Database roles".
psql_admin() { as_pg "$PG_BIN/psql" -h "$PGDATA" -p "$PG_PORT" -U wtt -v ON_ERROR_STOP=1 -q "$@"; }
psql_admin -d postgres <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wtt_runtime') THEN CREATE ROLE wtt_runtime NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wtt_owner') THEN CREATE ROLE wtt_owner LOGIN PASSWORD 'wtt_owner'; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wtt_app') THEN
    CREATE ROLE wtt_app LOGIN PASSWORD 'wtt_app' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS IN ROLE wtt_runtime;
  END IF;
END $$;
SQL
psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='wtt'" | grep -q 1 \
  || as_pg "$PG_BIN/createdb" -h "$PGDATA" -p "$PG_PORT" -U wtt -O wtt_owner wtt
# A database made by an earlier `make up` belongs to wtt: hand it and its objects to wtt_owner (once).
psql_admin -d wtt <<'SQL'
ALTER DATABASE wtt OWNER TO wtt_owner;
ALTER SCHEMA public OWNER TO wtt_owner;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p') AND pg_get_userbyid(c.relowner) = 'wtt' LOOP
    EXECUTE format('ALTER TABLE public.%I OWNER TO wtt_owner', r.relname);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) = 'wtt' LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO wtt_owner', r.f);
  END LOOP;
END $$;
SQL

# --- Redis ----------------------------------------------------------------
if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  "$REDIS_SERVER" --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA/redis" \
    --appendonly yes --maxmemory-policy noeviction --daemonize yes \
    --pidfile "$DATA/run/redis.pid" --logfile "$DATA/log/redis.log"
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# --- The application ------------------------------------------------------
export NODE_ENV="${NODE_ENV:-development}"
export PORT
export DATABASE_URL="${DATABASE_URL:-postgres://wtt_app:wtt_app@127.0.0.1:$PG_PORT/wtt}"
export MIGRATION_DATABASE_URL="${MIGRATION_DATABASE_URL:-postgres://wtt_owner:wtt_owner@127.0.0.1:$PG_PORT/wtt}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}"
export MAIL_DIR="${MAIL_DIR:-$DATA/mail}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://localhost:$PORT}"
[ -s "$DATA/jwt-secret" ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DATA/jwt-secret"; chmod 600 "$DATA/jwt-secret"; }
export JWT_SECRET="${JWT_SECRET:-$(cat "$DATA/jwt-secret")}"
{
  echo "NODE_ENV=$NODE_ENV"; echo "PORT=$PORT"; echo "DATABASE_URL=$DATABASE_URL"; echo "MIGRATION_DATABASE_URL=$MIGRATION_DATABASE_URL"
  echo "REDIS_URL=$REDIS_URL"; echo "MAIL_DIR=$MAIL_DIR"; echo "JWT_SECRET=$JWT_SECRET"; echo "PUBLIC_BASE_URL=$PUBLIC_BASE_URL"
} >"$DATA/env"

log "building"
npm run -s build
log "applying migrations"
node dist/src/database/migrate.js
log "loading demo data (once)"
out="$(node dist/src/seed/seed.js)"
grep -q "already loaded" <<<"$out" && echo "$out"
# Keep the credentials printed by the first load; a later run only says it is loaded.
if ! grep -q "already loaded" <<<"$out"; then printf '%s\n' "$out" >"$DATA/demo-credentials.txt"; chmod 600 "$DATA/demo-credentials.txt"; fi

start() { # name, script
  local pidf="$DATA/run/$1.pid"
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
    log "restarting $1"; kill "$(cat "$pidf")"; sleep 1
  fi
  nohup node "$2" >>"$DATA/log/$1.log" 2>&1 &
  echo $! >"$pidf"
}
start api dist/src/main.js
start worker dist/jobs/main.js

for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null || { tail -n 30 "$DATA/log/api.log"; die "the API did not become ready"; }
[ -f "$DATA/demo-credentials.txt" ] && { echo; cat "$DATA/demo-credentials.txt"; }
cat <<MSG

  Workforce transition tracker is up.
  Sign in:  http://localhost:$PORT/          (demo users and password above)
  API:      http://localhost:$PORT/api/v1
  API docs: http://localhost:$PORT/docs
  Health:   http://localhost:$PORT/health/ready
  Logs:     .data/log/{api,worker,redis}.log     Stop: make down
MSG
