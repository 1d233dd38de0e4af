# The two commands: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= 2
PRESET := $(if $(CI),ci,default)

.PHONY: all deps configure build run test test-unit test-node test-ui test-conformance format \
        format-check lint clean bench bench-ab bench-tools bench-build-time bench-memory \
        web-build

all: build

deps:
	@scripts/deps.sh

$(BUILD_DIR)/build.ninja:
	cmake --preset $(PRESET) -B $(BUILD_DIR)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)
	@scripts/web-build.sh

run: build
	@scripts/run.sh

# Unit and Node suites run with a throwaway PostgreSQL server (scripts/test-postgres.sh): the
# store suite against both backends, the Node suites once on SQLite with two threads and once on
# PostgreSQL with one (the server's two ways of running connections: on strands, or on the one
# thread without them).
test: build
	$(MAKE) --no-print-directory format-check
	@scripts/test-postgres.sh start >/dev/null
	@trap 'scripts/test-postgres.sh stop' EXIT; \
	export SAGEMCP_TEST_DATABASE_URL="$$(scripts/test-postgres.sh url)"; \
	$(MAKE) --no-print-directory test-unit && \
	SAGEMCP_THREADS=2 $(MAKE) --no-print-directory test-node && \
	SAGEMCP_THREADS=1 SAGEMCP_TEST_BACKEND=postgres $(MAKE) --no-print-directory test-node
	$(MAKE) --no-print-directory test-ui
	$(MAKE) --no-print-directory test-conformance

# SageMCP beside a bare Beast server and the official TypeScript SDK server, on loopback
# (bench/results/latest.md and latest.svg). wrk is installed here, when missing, so that nothing
# else needs it. BENCH_DURATION, BENCH_ROUNDS and BENCH_CONNECTIONS shorten or widen the run.
bench: build bench-tools
	SAGEMCP_BINARY=$(CURDIR)/$(BUILD_DIR)/sagemcp \
	  BENCH_CEILING=$(CURDIR)/$(BUILD_DIR)/sagemcp-bench-ceiling node bench/run.mjs

# Two builds of the server side by side, in alternating rounds: `make bench-ab A=<old binary>`
# compares it with this build (B defaults to it); BENCH_SCENARIOS picks the scenarios.
B ?= $(CURDIR)/$(BUILD_DIR)/sagemcp
bench-ab: build bench-tools
	@[ -n "$(A)" ] || { echo "usage: make bench-ab A=<binary> [B=<binary>]"; exit 2; }
	BENCH_CEILING=$(CURDIR)/$(BUILD_DIR)/sagemcp-bench-ceiling node bench/ab.mjs "$(A)" "$(B)"

bench-tools:
	@command -v wrk >/dev/null 2>&1 || { \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends wrk; }
	@[ -d tests/node_modules ] || (cd tests && npm ci --no-audit --no-fund)

# The cold build: configure and build every target in a fresh directory with ccache off
# (bench/results/build-time.md, which `make bench` quotes). Takes a long time.
bench-build-time: deps
	@bench/build-time.sh $(PRESET) $(JOBS)

# Memory of 10k and 100k idle sessions and of a full 5000-instance pool (bench/results/memory.md).
bench-memory: build
	SAGEMCP_BINARY=$(CURDIR)/$(BUILD_DIR)/sagemcp node bench/memory.mjs 100000 5000

test-unit:
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

test-node:
	SAGEMCP_BINARY=$(CURDIR)/$(BUILD_DIR)/sagemcp bash tests/run-node-tests.sh

# The official MCP conformance suite (Node 22 from npm) against the everything connector, on its
# own endpoint and on the tenant endpoint.
test-conformance:
	SAGEMCP_BINARY=$(CURDIR)/$(BUILD_DIR)/sagemcp bash tests/conformance/run.sh 2025-11-25
	SAGEMCP_BINARY=$(CURDIR)/$(BUILD_DIR)/sagemcp bash tests/conformance/run.sh 2026-07-28
	SAGEMCP_BINARY=$(CURDIR)/$(BUILD_DIR)/sagemcp bash tests/conformance/run.sh 2025-11-25 tenant
	SAGEMCP_BINARY=$(CURDIR)/$(BUILD_DIR)/sagemcp bash tests/conformance/run.sh 2026-07-28 tenant

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
	@echo "clang-format: clean"

# clang-tidy over every project source, with the compile commands of the build.
lint: build format-check
	@git ls-files '*.cpp' | grep -v '^tests/' | xargs -P $(JOBS) -n 1 clang-tidy -p $(BUILD_DIR) --quiet --warnings-as-errors='*'

clean:
	rm -rf $(BUILD_DIR)

# The web admin UI alone (web-admin/dist, which `make build` builds too and the server serves at /
# when SAGEMCP_WEB_DIR points at it; `make run` does).
web-build:
	@scripts/web-build.sh

# The UI's unit tests (Vitest, jsdom), then its browser tests against build/sagemcp with Debian's
# chromium (tests/ui/run.sh installs it when missing); screenshots in tests/ui/artifacts/.
test-ui:
	@scripts/web-build.sh
	cd web-admin && npm test
	SAGEMCP_BINARY=$(CURDIR)/$(BUILD_DIR)/sagemcp bash tests/ui/run.sh
