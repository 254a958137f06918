# AlephTX — `make serve` runs the gateway on the simulated market; `make test` runs every test.
SHELL := /bin/bash
SWIFT ?= swift
VENV := .venv
PY := $(VENV)/bin/python
STAMP_VENV := $(VENV)/.installed
BIN := .build/debug/alephtx

.PHONY: all build serve test unit e2e demo bench schemas check-schemas sysdeps venv clean

all: build

# System packages (idempotent: probes first, apt-get only for what is missing).
# libsecp256k1-dev + pkg-config: signing; libssl-dev: the OpenSSL HMAC shim bench order-path
# measures; zlib1g-dev: gzip recordings for replay; netcat-openbsd + python3-venv: end-to-end tests;
# chromium-headless-shell: the test that renders a backtest's HTML report.
sysdeps:
	@need=""; \
	command -v pkg-config >/dev/null 2>&1 || need="$$need pkg-config"; \
	pkg-config --exists libsecp256k1 2>/dev/null || need="$$need libsecp256k1-dev"; \
	pkg-config --exists sqlite3 2>/dev/null || test -f /usr/include/sqlite3.h || need="$$need libsqlite3-dev"; \
	test -f /usr/include/openssl/sha.h || need="$$need libssl-dev"; \
	test -f /usr/include/zlib.h || need="$$need zlib1g-dev"; \
	command -v nc >/dev/null 2>&1 || need="$$need netcat-openbsd"; \
	command -v chromium-headless-shell >/dev/null 2>&1 || command -v chromium >/dev/null 2>&1 || need="$$need chromium-headless-shell"; \
	python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need="$$need python3-venv"; \
	if [ -n "$$need" ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		echo "installing:$$need"; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$need >/dev/null; \
	fi

# Python test packages in a git-ignored virtualenv (idempotent).
venv: $(STAMP_VENV)
$(STAMP_VENV): requirements-test.txt | sysdeps
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.txt
	@touch $@

schemas:
	@python3 scripts/embed_schemas.py

check-schemas:
	@python3 scripts/embed_schemas.py --check || (echo "EmbeddedSchemas.swift is stale: run 'make schemas'" >&2; exit 1)

build: sysdeps schemas
	$(SWIFT) build

serve: build
	$(BIN) serve

# The e2e suite runs once; tests that failed run once more, on their own, and the run passes only
# if they pass then. A test that fails twice fails the run; one that passes on the rerun is a
# timing flake under load, named in the log as FLAKY to be looked into (never silently).
test: sysdeps venv check-schemas
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	ALEPHTX_BIN=$(BIN) $(PY) -m pytest -q Tests/e2e || { \
	  echo "FLAKY? rerunning once, on their own, the e2e tests that failed above:"; \
	  ALEPHTX_BIN=$(BIN) $(PY) -m pytest -q -rA --last-failed --last-failed-no-failures none Tests/e2e; }

unit:
	$(SWIFT) test

e2e: venv build
	ALEPHTX_BIN=$(BIN) $(PY) -m pytest -q Tests/e2e

demo: build
	python3 agents/examples/momentum.py --binary $(BIN)

bench: sysdeps
	$(SWIFT) build -c release
	.build/release/alephtx bench rpc
	.build/release/alephtx bench risk
	.build/release/alephtx bench crypto
	.build/release/alephtx bench ledger
	.build/release/alephtx bench book
	.build/release/alephtx bench decode
	.build/release/alephtx bench replay
	.build/release/alephtx bench order-path

clean:
	rm -rf .build $(VENV)
