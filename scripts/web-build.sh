#!/usr/bin/env bash
# Builds the web admin UI (web-admin/dist) when it is missing or older than its sources, after
# installing its dependencies from the lockfile when they are missing or older than it.
set -euo pipefail
web="$(cd "$(dirname "${BASH_SOURCE[0]}")/../web-admin" && pwd)"
cd "${web}"

if [[ ! -d node_modules || node_modules -ot package-lock.json ]]; then
  npm ci --no-audit --no-fund
  touch node_modules
fi

if [[ ! -f dist/index.html ]] \
  || [[ -n "$(find src index.html public package-lock.json vite.config.ts tsconfig.json \
                -newer dist/index.html -print -quit 2>/dev/null)" ]]; then
  npm run build
fi
