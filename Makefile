# retool-api-client. Every target installs what it needs first (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
SPEC ?=
export SCARF_ANALYTICS = false

.PHONY: install install-mock regenerate check-generated lint typecheck unit contract reliability test bench demo clean

$(STAMP): pyproject.toml requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements-dev.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Prism, the spec-driven mock of Retool (package.json / package-lock.json), into ./node_modules.
# --ignore-scripts: the only install script in the tree is a telemetry ping.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)

install-mock: $(NODE_STAMP)

regenerate: $(STAMP)
	$(PY) scripts/regenerate.py $(if $(SPEC),--spec "$(SPEC)")

check-generated: $(STAMP)
	$(PY) scripts/regenerate.py --check

lint: $(STAMP)
	$(VENV)/bin/ruff check retool_api_client scripts tests benchmarks examples
	$(VENV)/bin/ruff format --check retool_api_client scripts tests benchmarks examples

typecheck: $(STAMP)
	$(VENV)/bin/mypy retool_api_client examples

# all of tests/: unit, contract (Prism) and reliability (fault injection)
unit: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest

contract: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest tests/contract

reliability: $(STAMP)
	$(PY) -m pytest tests/reliability -s

test: lint typecheck check-generated unit

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules .mypy_cache .pytest_cache .ruff_cache

# the README's main command: the SDK doing real work against a local mock Retool (Prism)
demo: $(STAMP) $(NODE_STAMP)
	$(PY) scripts/demo.py
