#!/usr/bin/env bash
# The browser tests of the web admin UI (admin_ui.test.mjs) against build/sagemcp, with Debian's
# chromium driven by playwright-core (no browser is downloaded). Installs chromium with apt when
# it is missing, and builds web-admin/dist when it is stale (scripts/web-build.sh). Screenshots
# land in tests/ui/artifacts/.
set -euo pipefail

ui_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${ui_dir}/../.." && pwd)"

if [[ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
  sudo=$([[ "$(id -u)" -eq 0 ]] || echo sudo)
  ${sudo} apt-get update -qq
  DEBIAN_FRONTEND=noninteractive ${sudo} apt-get install -y -qq --no-install-recommends chromium
fi

"${repo}/scripts/web-build.sh"

# The support helpers of the Node suites (tests/support) and the external MCP server used for the
# process views come from tests/node_modules.
if [[ ! -d "${repo}/tests/node_modules" || "${repo}/tests/node_modules" -ot "${repo}/tests/package-lock.json" ]]; then
  (cd "${repo}/tests" && npm ci --no-audit --no-fund)
  touch "${repo}/tests/node_modules"
fi

export SAGEMCP_BINARY="${SAGEMCP_BINARY:-${repo}/build/sagemcp}"
if [[ ! -x "${SAGEMCP_BINARY}" ]]; then
  echo "tests/ui/run.sh: ${SAGEMCP_BINARY} is missing; run make build" >&2
  exit 1
fi

mkdir -p "${ui_dir}/artifacts"
exec node --test --test-concurrency=1 --test-timeout=300000 "${ui_dir}"/*.test.mjs
