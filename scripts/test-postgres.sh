#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suites, from Debian's packages.
#
#   scripts/test-postgres.sh start   initdb (as the postgres user when run as root) into a fresh
#                                    directory, start on 127.0.0.1 with fsync off, and print the
#                                    URL of its `postgres` database
#   scripts/test-postgres.sh stop    stop the server and remove its directory
#   scripts/test-postgres.sh url     print the URL
#   scripts/test-postgres.sh ctl ARGS...
#                                    pg_ctl on the server (the fault tests stop and start it)
#
# SAGEMCP_TEST_PG_DIR (default /tmp/sagemcp-test-pg) and SAGEMCP_TEST_PG_PORT (default 15432, below
# the ephemeral port range, so that no client socket can hold it while the server restarts)
# place it.
set -euo pipefail

dir="${SAGEMCP_TEST_PG_DIR:-/tmp/sagemcp-test-pg}"
port="${SAGEMCP_TEST_PG_PORT:-15432}"
url="postgresql://postgres@127.0.0.1:${port}/postgres"

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "${bindir}" || ! -x "${bindir}/initdb" ]]; then
  echo "test-postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

# Runs a command as the owner of the data directory: initdb and postgres refuse to run as root.
as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ctl() {
  as_owner "${bindir}/pg_ctl" -D "${dir}/data" -l "${dir}/server.log" "$@"
}

case "${1:-}" in
  start)
    if [[ -f "${dir}/data/postmaster.pid" ]] && ctl status >/dev/null 2>&1; then
      echo "${url}"
      exit 0
    fi
    rm -rf "${dir}"
    mkdir -p "${dir}"
    if [[ "$(id -u)" -eq 0 ]]; then
      chown postgres:postgres "${dir}"
    fi
    as_owner "${bindir}/initdb" -D "${dir}/data" -U postgres -A trust -E UTF8 --no-locale \
      >"${dir}/initdb.log" 2>&1 || {
      cat "${dir}/initdb.log" >&2
      exit 1
    }
    # In the configuration file, so that a plain `ctl start` after a stop brings it back alike.
    {
      echo "port = ${port}"
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = '${dir}'"
      echo "max_connections = 200"
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    } >>"${dir}/data/postgresql.conf"
    ctl -w -t 60 start >/dev/null || {
      cat "${dir}/server.log" >&2
      exit 1
    }
    echo "${url}"
    ;;
  stop)
    if [[ -d "${dir}/data" ]]; then
      ctl -w -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "${dir}"
    ;;
  url)
    echo "${url}"
    ;;
  ctl)
    shift
    ctl "$@"
    ;;
  *)
    echo "usage: $0 start|stop|url|ctl ARGS..." >&2
    exit 2
    ;;
esac
