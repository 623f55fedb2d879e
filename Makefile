# make venv | run | test | lint | bench | lock
# The virtual environment is (re)installed whenever pyproject.toml changes (stamp file).

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.install-stamp

.PHONY: venv run test lint lint-ruff lint-format lint-types lint-layers bench lock

venv: $(STAMP)

# requirements/dev.lock pins every package with its hashes (pip-compile, see `make lock`); the
# project itself is then installed without its dependencies.
$(STAMP): pyproject.toml requirements/dev.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q --require-hashes -r requirements/dev.lock
	$(PY) -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	@touch $@

# Recompute the lock files after a change of pyproject.toml (production: no extras).
lock: venv
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
		--no-emit-find-links --extra dev --extra demo -o requirements/dev.lock pyproject.toml
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
		--no-emit-find-links -o requirements/prod.lock pyproject.toml

# The embedded default (PostgreSQL + Redis from wheels, data under ./var) unless DATABASE_URL is set.
run: venv
	$(PY) scripts/run.py

# pytest's exit code 5 (no tests collected) counts as a failure. Tests run in random order
# (pytest-randomly prints the seed; reproduce with PYTEST_ARGS='-p randomly --randomly-seed=N') and in
# two processes (pytest-xdist; each has its own database, Celery queue and S3 bucket).
PYTEST_ARGS ?= -p randomly -n 2 --durations=15
test: venv
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

# The CI gates besides the tests (`make -k lint` runs them all and fails if any fails).
SRC := portal tenancy authz tasks infra tests scripts bench
lint: lint-ruff lint-format lint-types lint-layers
lint-ruff: venv
	$(PY) -m ruff check $(SRC)
lint-format: venv
	$(PY) -m ruff format --check $(SRC)
lint-types: venv
	$(VENV)/bin/mypy
lint-layers: venv
	$(VENV)/bin/lint-imports

bench: venv
	$(PY) bench/bench_registry.py
	$(PY) bench/bench_reports.py --reuse --celery --parallel 2
	$(PY) bench/bench_load.py
