#!/usr/bin/env bash
# Measures a cold build: configure and build every target in a fresh directory with ccache off,
# and records the wall time in bench/results/build-time.md.
# Usage: bench/build-time.sh [preset=default] [jobs=2]
set -euo pipefail

preset="${1:-default}"
jobs="${2:-2}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${root}/build-cold"
results="${root}/bench/results"

rm -rf "${dir}"
trap 'rm -rf "${dir}"' EXIT
export CCACHE_DISABLE=1

echo "cold build in ${dir} (preset ${preset}, ${jobs} jobs, ccache off); this takes a while"
start=$(date +%s%N)
(cd "${root}" && cmake --preset "${preset}" -B "${dir}" >/dev/null)
cmake --build "${dir}" -j "${jobs}"
end=$(date +%s%N)
seconds=$(((end - start + 500000000) / 1000000000))

mkdir -p "${results}"
when="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
cpu="$(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
cat >"${results}/build-time.md" <<MD
# Cold build

Configure and build of every target (\`cmake --preset ${preset}\`, then
\`cmake --build -j ${jobs}\`) in a fresh directory with ccache off; recorded ${when} on ${cpu}.

| measure | value |
|---|---|
| wall time | ${seconds} s ($((seconds / 60)) min $((seconds % 60)) s) |
MD
echo "cold build: ${seconds} s (bench/results/build-time.md)"
