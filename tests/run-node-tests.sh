#!/usr/bin/env bash
# Runs the Node black-box suites (tests/integration, tests/e2e) against the sagemcp binary.
# SAGEMCP_BINARY overrides the binary (default: <repo>/build/sagemcp).
set -euo pipefail

caller_dir="$(pwd)"
tests_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "${tests_dir}"

if [[ ! -d node_modules || node_modules -ot package-lock.json ]]; then
  npm ci --no-audit --no-fund
  touch node_modules
fi

SAGEMCP_BINARY="${SAGEMCP_BINARY:-$(cd .. && pwd)/build/sagemcp}"
case "${SAGEMCP_BINARY}" in
  /*) ;;
  *) SAGEMCP_BINARY="${caller_dir}/${SAGEMCP_BINARY}" ;;
esac
export SAGEMCP_BINARY

if [[ ! -x "${SAGEMCP_BINARY}" ]]; then
  echo "run-node-tests.sh: ${SAGEMCP_BINARY} is missing or not executable" >&2
  exit 1
fi

shopt -s nullglob
files=(integration/*.test.mjs e2e/*.test.mjs)
shopt -u nullglob
if (( ${#files[@]} == 0 )); then
  echo "run-node-tests.sh: no test files found" >&2
  exit 1
fi

exec node --test --test-concurrency=1 --test-timeout=120000 "${files[@]}"
