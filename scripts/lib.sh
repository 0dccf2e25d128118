#!/usr/bin/env bash
# Shared helpers for `make up`, `make down` and `make test`: find or install the
# PostgreSQL and Redis server binaries and run PostgreSQL as an unprivileged user.
set -euo pipefail

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 1
    sudo="sudo -n"
  fi
  log "installing $* with apt-get"
  # No service is started by the package: we run our own server under .data/.
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

ensure_postgres() {
  pg_bindir >/dev/null || apt_install postgresql || die "PostgreSQL server binaries (initdb, pg_ctl) not found and could not be installed: install the 'postgresql' package"
  pg_bindir
}

ensure_redis() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server || die "redis-server not found and could not be installed: install the 'redis-server' package"
  command -v redis-server
}

# Page tests drive Debian's Chromium (a test tool's own browser download cannot work here).
ensure_chromium() {
  local c="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$c" ] || apt_install chromium fonts-liberation || die "Chromium not found at $c and could not be installed: install Debian's 'chromium' package"
  echo "$c"
}

# Letters and evidence packs become tagged PDFs through LibreOffice in headless mode (the worker
# runs it). Debian's writer-only package without a GUI; poppler-utils gives pdftotext to the tests.
ensure_libreoffice() {
  local s="${SOFFICE_PATH:-/usr/bin/soffice}"
  if [ ! -x "$s" ] || ! command -v pdftotext >/dev/null 2>&1; then
    apt_install libreoffice-writer-nogui poppler-utils fonts-liberation || [ -x "$s" ] || die "LibreOffice not found at $s and could not be installed: install Debian's 'libreoffice-writer-nogui' package"
  fi
  echo "$s"
}

# PostgreSQL refuses to run as root: when we are root, run it as `postgres`.
pg_user() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    echo postgres
  else
    id -un
  fi
}

as_pg() {
  local u; u="$(pg_user)"
  if [ "$u" = "$(id -un)" ]; then "$@"; else runuser -u "$u" -- "$@"; fi
}

ensure_node_modules() {
  local stamp=node_modules/.install-stamp
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    log "installing npm dependencies"
    # npm ci installs exactly the lock file and never rewrites it, so git status stays clean.
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
}
