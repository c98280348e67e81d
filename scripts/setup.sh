#!/usr/bin/env bash
# Sets up pgwarden on a fresh Debian machine (run as root, or with sudo available):
#   bash scripts/setup.sh          what the main job (npm start, every pgwarden command) needs: the PostgreSQL
#                                  server and client and OpenSSL, the npm packages, the build, and `pgwarden`
#                                  on PATH (scripts/link-bin.sh);
#   bash scripts/setup.sh --tests  that, plus what only the tests need: the real clients and proxies the TLS
#                                  tests connect through (psycopg for Debian's python3, pgjdbc with a JRE, pgbouncer),
#                                  Debian's chromium, which the HTML audit report's test drives headless,
#                                  and pgaudit, which the audit's logging test loads.
# Each Debian package is installed only when its program is missing; running it again changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

tests=false
for arg in "$@"; do
  case "$arg" in
    --tests) tests=true ;;
    -h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "setup: unknown argument '$arg': give --tests to also install what the tests need, or nothing" >&2; exit 2 ;;
  esac
done

need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v pg_config >/dev/null 2>&1; then
  need+=(postgresql)
fi
if $tests; then
  command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
  /usr/bin/python3 -c "import psycopg" >/dev/null 2>&1 || need+=(python3-psycopg)
  [ -f /usr/share/java/postgresql.jar ] || need+=(libpostgresql-jdbc-java)
  command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  # pgaudit for the audit's logging test (logging/pgaudit-absent is planted, then fixed by loading it).
  ls /usr/lib/postgresql/*/lib/pgaudit.so >/dev/null 2>&1 || need+=(postgresql-15-pgaudit)
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${need[*]}" >&2
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build --silent
bash scripts/link-bin.sh
