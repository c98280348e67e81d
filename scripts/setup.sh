#!/usr/bin/env bash
# Installs everything pgwarden's tests need on a fresh Debian machine (run as root, or with
# sudo available): the PostgreSQL server and client, OpenSSL, the real clients and proxies the
# TLS tests connect through (psycopg for Debian's python3, pgjdbc with a JDK, pgbouncer), then
# the npm packages.
# Each Debian package is installed only when its program is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v pg_config >/dev/null 2>&1; then
  need+=(postgresql)
fi
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
/usr/bin/python3 -c "import psycopg" >/dev/null 2>&1 || need+=(python3-psycopg)
[ -f /usr/share/java/postgresql.jar ] || need+=(libpostgresql-jdbc-java)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${need[*]}" >&2
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
