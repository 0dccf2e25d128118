#!/usr/bin/env bash
# `make fuzz`: the acceptance suite's long run. The same spec as in `make test`
# (test/integration/acceptance.int-spec.ts) with FUZZ_REQUESTS=24000 (override it, and FUZZ_SEED,
# from the environment); the figures go to bench/out/fuzz-<time>.md and to the console.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_node_modules
if [ -z "${TEST_DATABASE_URL:-}" ]; then ensure_postgres >/dev/null; pg_user >/dev/null; fi
if [ -z "${TEST_REDIS_URL:-}" ]; then ensure_redis >/dev/null; fi
export FUZZ_REQUESTS="${FUZZ_REQUESTS:-24000}" FUZZ_REPORT=1
log "acceptance: corpus + $FUZZ_REQUESTS fuzz requests (seed ${FUZZ_SEED:-17})"
npx jest --selectProjects integration --ci test/integration/acceptance.int-spec.ts
