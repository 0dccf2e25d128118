.PHONY: up down test build seed bench lint deps typecheck fuzz bench-http bench-scenarios bench-import bench-letters faults bench-startup

up:        ## run API and worker with Postgres and Redis, demo data loaded
	@bash scripts/up.sh
down:      ## stop what `make up` started
	@bash scripts/down.sh
test:      ## lint, type-check, unit and integration tests (real Postgres and Redis)
	@bash scripts/test.sh
fuzz:      ## long acceptance run: bad-input corpus + 24,000 schema-driven requests against a real API process (figures: docs/acceptance.md)
	@bash scripts/fuzz.sh
build:
	@npm run -s build
seed:      ## reload the demo data (replaces the demo programme)
	@set -a; . ./.data/env; set +a; npm run -s build && node dist/src/seed/seed.js --reload | tee .data/demo-credentials.txt
lint:
	@npx eslint . --max-warnings=0
deps:      ## the layer rules: no folder imports a feature above it (.dependency-cruiser.cjs)
	@npm run -s deps
typecheck:
	@npx tsc -p tsconfig.json --noEmit
bench-establishment: build ; @BENCH_COMMAND="make bench-establishment" node dist/bench/establishment.bench.js  ## establishment bench (BENCH_POSTS=1000000 …): see docs/benchmarks.md
bench-matrix-page: build ; @BENCH_COMMAND="make bench-matrix-page" node dist/bench/matrix-page.bench.js  ## matrix page vs JSON API vs psql (BENCH_POSTS=100000): see docs/benchmarks.md
bench-notifications: build ; @BENCH_COMMAND="make bench-notifications" node dist/bench/notifications.bench.js  ## email deliveries per second (BENCH_EMAILS=10000 BENCH_WORKERS=1,2 …): see docs/benchmarks.md
bench-uploads: build ; @BENCH_COMMAND="make bench-uploads" node dist/bench/uploads.bench.js  ## /health/live latency while hostile 20 MiB uploads are processed: see docs/benchmarks.md
bench-http: build ; @BENCH_COMMAND="make bench-http" node dist/bench/http.bench.js  ## list and /health/live vs bare Fastify + pg, 64 connections on the matrix, 1M-row import vs psql \copy (BENCH_POSTS, BENCH_SECONDS, BENCH_ROUNDS, BENCH_MATRIX_SECONDS, BENCH_IMPORT_ROWS): see docs/benchmarks.md
bench-import: build ; @BENCH_COMMAND="make bench-import" node dist/bench/import.bench.js  ## 1M-row posts import through the API and the worker vs psql \copy, API RSS (BENCH_IMPORT_ROWS, BENCH_IMPORT_RUNS, BENCH_POSTS): see docs/benchmarks.md
faults: ; @node -r @swc-node/register bench/faults/faults.ts  ## fault suite, NOT in make test: a storm of notices while workers are SIGKILLed, Redis and PostgreSQL restarted, SMTP stopped (FAULTS_EMAILS=20000 FAULTS_KILLS=20 …): see docs/faults.md
bench-scenarios: build ; @BENCH_COMMAND="make bench-scenarios" node dist/bench/scenarios.bench.js  ## scenario matrix delta vs live matrix (BENCH_POSTS=1000000 BENCH_CHANGES=10000): see docs/benchmarks.md
bench-letters: build ; @BENCH_COMMAND="make bench-letters" node dist/bench/letters.bench.js  ## 500 transfer letters by one worker: render, LibreOffice, store, vs soffice directly (BENCH_LETTERS=500 BENCH_ROUND=50): see docs/benchmarks.md
bench-startup: build ; @node dist/bench/startup.bench.js  ## API start-up to /health/live and /health/ready, and its RSS, vs the bare Fastify + pg server (BENCH_RUNS=5): see docs/benchmarks.md
