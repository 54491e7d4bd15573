# retool-api-client. Every target installs what it needs first (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SPEC ?=

.PHONY: install regenerate check-generated lint typecheck unit test bench demo clean

$(STAMP): pyproject.toml requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements-dev.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

regenerate: $(STAMP)
	$(PY) scripts/regenerate.py $(if $(SPEC),--spec "$(SPEC)")

check-generated: $(STAMP)
	$(PY) scripts/regenerate.py --check

lint: $(STAMP)
	$(VENV)/bin/ruff check retool_api_client scripts tests benchmarks
	$(VENV)/bin/ruff format --check retool_api_client scripts tests benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy retool_api_client

unit: $(STAMP)
	$(PY) -m pytest

test: lint typecheck check-generated unit

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

demo:
	@echo "make demo (the SDK against a local Prism mock of Retool) is not built yet: see README, Status." >&2
	@exit 2
