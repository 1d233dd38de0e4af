#!/usr/bin/env bash
# Runs the official MCP conformance suite (a client) against the `everything` connector of a
# freshly started server: an authless tenant on loopback, as the suite sends no credentials.
# Usage: run.sh [requirement set, default 2025-11-25] [connector|tenant, default connector]
# `tenant` targets the tenant endpoint, whose only connector is the `everything` one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="${SAGEMCP_BINARY:-$here/../../build/sagemcp}"
requirements="${1:-2025-11-25}"
endpoint="${2:-connector}"
case "$endpoint" in
  connector | tenant) ;;
  *)
    echo "run.sh: the endpoint must be 'connector' or 'tenant', not '$endpoint'" >&2
    exit 2
    ;;
esac
cd "$here"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
fi
node22="$here/node_modules/.bin/node"
suite="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

: > "$work/server.log"
# The suite sends hundreds of requests a minute to one tenant: no rate limit here.
SECRET_KEY="$(openssl rand -hex 16)" SAGEMCP_ENABLE_AUTH=false RATE_LIMIT_RPM=0 \
  "$binary" serve --host 127.0.0.1 --port 0 --data-dir "$work/data" > "$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$work/server.log")"
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "server did not start:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
base="http://127.0.0.1:$port"
curl -sf -X POST "$base/api/v1/admin/tenants" -d '{"slug":"conformance","name":"Conformance"}' \
  > /dev/null
connector="$(curl -sf -X POST "$base/api/v1/admin/tenants/conformance/connectors" \
  -d '{"connector_type":"everything","name":"Fixtures"}' | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')"
url="$base/api/v1/conformance/connectors/$connector/mcp"
if [ "$endpoint" = tenant ]; then
  url="$base/api/v1/conformance/mcp"
fi
echo "conformance --requirements $requirements against $url"
"$node22" "$suite" server --url "$url" --requirements "$requirements" --timeout 10000 \
  -o "$work/results"
