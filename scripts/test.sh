#!/usr/bin/env bash
# `make test`: dependencies, then lint, type-check, unit tests, integration tests.
# Integration tests start throwaway PostgreSQL and Redis servers unless
# TEST_DATABASE_URL / TEST_REDIS_URL point at running ones.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_node_modules
if [ -z "${TEST_DATABASE_URL:-}" ]; then ensure_postgres >/dev/null; pg_user >/dev/null; fi
if [ -z "${TEST_REDIS_URL:-}" ]; then ensure_redis >/dev/null; fi
ensure_chromium >/dev/null
ensure_libreoffice >/dev/null
log "web assets"; node scripts/build-assets.mjs
log "lint";        npx eslint . --max-warnings=0
log "layers (dependency-cruiser)"; npm run -s deps
log "type-check";  npx tsc -p tsconfig.json --noEmit
log "unit tests";  npx jest --selectProjects unit --ci
log "integration tests"; npx jest --selectProjects integration --ci --maxWorkers=2
log "page tests (Chromium, axe-core)"; npx jest --selectProjects pages --ci --maxWorkers=2
