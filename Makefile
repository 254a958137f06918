# AlephTX — `make serve` runs the gateway on the simulated market; `make test` runs every test.
SHELL := /bin/bash
SWIFT ?= swift
VENV := .venv
PY := $(VENV)/bin/python
STAMP_SYS := .build/.sysdeps
STAMP_VENV := $(VENV)/.installed
BIN := .build/debug/alephtx

.PHONY: all build serve test unit e2e demo bench schemas check-schemas sysdeps venv clean

all: build

# System packages the tests use (idempotent; skipped when already present).
sysdeps: $(STAMP_SYS)
$(STAMP_SYS):
	@mkdir -p .build
	@if ! command -v nc >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq netcat-openbsd python3-venv >/dev/null; \
	fi
	@touch $@

# Python test packages in a git-ignored virtualenv (idempotent).
venv: $(STAMP_VENV)
$(STAMP_VENV): requirements-test.txt | $(STAMP_SYS)
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.txt
	@touch $@

schemas:
	@python3 scripts/embed_schemas.py

check-schemas:
	@python3 scripts/embed_schemas.py --check || (echo "EmbeddedSchemas.swift is stale: run 'make schemas'" >&2; exit 1)

build: schemas
	$(SWIFT) build

serve: build
	$(BIN) serve

test: sysdeps venv check-schemas
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	ALEPHTX_BIN=$(BIN) $(PY) -m pytest -q Tests/e2e

unit:
	$(SWIFT) test

e2e: venv build
	ALEPHTX_BIN=$(BIN) $(PY) -m pytest -q Tests/e2e

demo: build
	python3 agents/examples/momentum.py --binary $(BIN)

bench:
	$(SWIFT) build -c release
	.build/release/alephtx bench rpc
	.build/release/alephtx bench risk

clean:
	rm -rf .build $(VENV)
