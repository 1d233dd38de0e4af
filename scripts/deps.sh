#!/usr/bin/env bash
# Installs what building, running and testing SageMCP needs on Debian 12, and nothing more.
# Idempotent: packages already present are left alone, and nothing is installed when nothing is
# missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates openssl curl sqlite3
  clang-format clang-tidy
  libcaf-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libsimdjson-dev libsqlite3-dev libpqxx-dev postgresql libssl-dev libspdlog-dev prometheus-cpp-dev
  libcli11-dev libgtest-dev libgmock-dev libtomlplusplus-dev libedit-dev libmimalloc-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm run the end-to-end tests with the official MCP SDK; any install providing both
# commands will do, Debian's packages otherwise.
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "Installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
