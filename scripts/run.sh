#!/usr/bin/env bash
# Starts a local server on the embedded SQLite database, with a SECRET_KEY kept in the data dir.
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir="${SAGEMCP_DATA_DIR:-data}"
mkdir -p "$data_dir"
chmod 700 "$data_dir"
if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s "$data_dir/secret-key" ]; then
    (umask 077 && openssl rand -hex 32 > "$data_dir/secret-key")
    echo "Generated a SECRET_KEY for local use in $data_dir/secret-key"
  fi
  SECRET_KEY="$(cat "$data_dir/secret-key")"
  export SECRET_KEY
fi
host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"
if [ -s "$data_dir/admin-key" ]; then
  echo "Admin API key: $data_dir/admin-key"
fi
# The admin UI, when built (make build builds it).
if [ -z "${SAGEMCP_WEB_DIR:-}" ] && [ -s web-admin/dist/index.html ]; then
  SAGEMCP_WEB_DIR="$(pwd)/web-admin/dist"
  export SAGEMCP_WEB_DIR
  echo "Admin UI: http://$host:$port/"
fi
echo "MCP endpoints: http://$host:$port/api/v1/<tenant>/connectors/<connector-id>/mcp"
exec ./build/sagemcp serve --host "$host" --port "$port" --data-dir "$data_dir"
