# retool-api-client. Every target installs what it needs first (see CONTRIBUTING.md).
SHELL := /bin/bash
# .venv: the lowest Python the package claims (requires-python), found as the others are
PYTHON ?= $(call python_for,3.11)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
SPEC ?=
# The other Pythons the package claims (pyproject classifiers; tests/test_packaging.py checks the
# two agree): `make test` runs the tests on each, in .venv-<version>, with the same pins.
EXTRA_PYTHONS ?= 3.12 3.13
# Where each comes from: PYTHON_3.12=/path/to/python, else pyenv's newest 3.12.x, else python3.12.
python_for = $(or $(PYTHON_$(1)),$(lastword $(sort $(wildcard $(HOME)/.pyenv/versions/$(1).*/bin/python))),python$(1))
PIP := --quiet --disable-pip-version-check -c requirements-dev.lock
export SCARF_ANALYTICS = false

.PRECIOUS: .venv-%/.installed

.PHONY: install install-mock redis regenerate check-generated template-diff test-next-release lint typecheck unit contract reliability test test-pythons bench bench-quick bench-instructions demo clean

# A venv with the pinned tools: pip itself first (dependency groups need pip >= 25.1), then the
# package (editable) and the `dev` group, then the runtime dependencies' wheels into
# <venv>/wheelhouse, so tests/test_packaging.py installs the built wheel into a fresh venv
# without the network. $(1): the venv, $(2): the Python to make it with.
define make_venv
	test -x $(1)/bin/python || $(2) -m venv $(1)
	$(1)/bin/python -m pip install $(PIP) pip
	$(1)/bin/python -m pip install $(PIP) --group dev -e .
	rm -rf $(1)/wheelhouse
	$(1)/bin/python -m pip download $(PIP) --no-build-isolation --only-binary=:all: --dest $(1)/wheelhouse .
	touch $(1)/.installed
endef

$(STAMP): pyproject.toml requirements-dev.lock
	$(call make_venv,$(VENV),$(PYTHON))

.venv-%/.installed: pyproject.toml requirements-dev.lock
	@$(call python_for,$*) -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$*".split("."))))' \
	  || { echo "error: Python $* not found: the package claims it (pyproject classifiers)." \
	  "Install it (pyenv install $*) or point PYTHON_$*= at one."; exit 1; }
	$(call make_venv,.venv-$*,$(call python_for,$*))

install: $(STAMP)

# Prism, the spec-driven mock of Retool (package.json / package-lock.json), into ./node_modules.
# --ignore-scripts: the only install script in the tree is a telemetry ping.
# Node >= 20.16 (package.json "engines": what Prism 5.14.2 and its dependencies need, jsep the
# highest); --engine-strict turns an engine mismatch anywhere in the tree into an error instead
# of a warning (tests/test_packaging.py checks the lock against the minimum).
NODE_MIN := 20.16
$(NODE_STAMP): package.json package-lock.json
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number), [x, y] = "$(NODE_MIN)".split(".").map(Number); process.exit(a > x || (a === x && b >= y) ? 0 : 1)' \
	  || { echo "error: Node >= $(NODE_MIN) is needed for Prism (node --version: $$(node --version 2>&1))"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --engine-strict
	touch $(NODE_STAMP)

install-mock: $(NODE_STAMP)

# redis-server (Debian's package) for the shared rate limit's tests, which start their own on
# 127.0.0.1 (tests/helpers/redis_server.py); installed when missing (CI runs on a fresh machine,
# as root). The test targets set RETOOL_TESTS_REQUIRE_REDIS=1, so those tests fail, not skip,
# without it.
redis:
	@command -v redis-server >/dev/null 2>&1 || { echo "installing redis-server for the tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
	@command -v redis-server >/dev/null 2>&1 \
	  || { echo "error: the tests need redis-server (apt-get install redis-server)"; exit 1; }

# the generated tree, openapi/surface.lock and docs/api.md; then the fake's page of operations
regenerate: $(STAMP)
	$(PY) scripts/regenerate.py $(if $(SPEC),--spec "$(SPEC)")
	$(PY) -m retool_api_client.testing --behaviour > docs/fake-operations.md

check-generated: $(STAMP)
	$(PY) scripts/regenerate.py --check --strict
	$(PY) scripts/templates.py check

# the whole suite on a copy of the repository regenerated to a synthetic next Retool release, then
# to the newest real Retool document in tests/data/specs/ (SPEC=<file>: to that document only)
test-next-release: $(STAMP) $(NODE_STAMP)
	$(if $(SPEC),$(PY) scripts/test_next_release.py --spec "$(SPEC)",$(PY) scripts/test_next_release.py && $(PY) scripts/test_next_release.py --newest)

# our change to each overridden generator template, against its pristine copy (templates/upstream/)
template-diff: $(STAMP)
	$(PY) scripts/templates.py diff

lint: $(STAMP)
	$(VENV)/bin/ruff check retool_api_client scripts tests benchmarks examples
	$(VENV)/bin/ruff format --check retool_api_client scripts tests benchmarks examples

typecheck: $(STAMP)
	$(VENV)/bin/mypy retool_api_client examples

# all of tests/: unit, contract (Prism) and reliability (fault injection)
unit: $(STAMP) $(NODE_STAMP) redis
	RETOOL_TESTS_REQUIRE_REDIS=1 $(PY) -m pytest

contract: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest tests/contract

reliability: $(STAMP)
	$(PY) -m pytest tests/reliability -s

# the unit, contract and reliability tests on every other Python the package claims
test-pythons: $(NODE_STAMP) $(foreach v,$(EXTRA_PYTHONS),.venv-$(v)/.installed) redis
	failed=""; for v in $(EXTRA_PYTHONS); do echo "== Python $$v"; \
	  RETOOL_TESTS_REQUIRE_REDIS=1 .venv-$$v/bin/python -m pytest -p no:cacheprovider || failed="$$failed $$v"; done; \
	  test -z "$$failed" || { echo "error: tests failed on Python$$failed"; exit 1; }

test: lint typecheck check-generated unit test-pythons bench-quick

bench: $(STAMP)
	$(PY) benchmarks/run.py

# every benchmark once, with a few hundred requests: a change that breaks the bench fails `make test`
bench-quick: $(STAMP)
	$(PY) benchmarks/run.py --quick
	$(PY) benchmarks/instructions.py --quick

# instructions per request over loopback (callgrind): steady where requests/s are not; needs valgrind
bench-instructions: $(STAMP)
	$(PY) benchmarks/instructions.py

clean:
	rm -rf $(VENV) $(foreach v,$(EXTRA_PYTHONS),.venv-$(v)) node_modules .mypy_cache .pytest_cache .ruff_cache

# the README's main command: the SDK doing real work against a local fake Retool that keeps state
demo: $(STAMP)
	$(PY) scripts/demo.py
