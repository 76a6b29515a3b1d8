# Developer entry points. CI (.ci/run) runs `make test` against real servers, then smoke-tests `make run`.
#
#   make run            the whole project on http://127.0.0.1:8000/ (embedded PostgreSQL and Redis
#                       unless DATABASE_URL / REDIS_URL are set); RUN_ARGS='--port 8001' to change it
#   make test           pytest on every core (PYTEST_ARGS='-k deadline -x' to narrow it, PYTEST_WORKERS=0 for one process)
#   make check          lint, types and tests
#   make down           stop the embedded PostgreSQL and Redis (data stays in .local/)

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
REQUIREMENTS := requirements/base.txt requirements/embedded.txt requirements/dev.txt
DEVSTACK := $(VENV_PYTHON) -m caunoi.devstack

# `make run` and `make down` work from backend/: a relative data folder must mean the same everywhere.
ifdef CAUNOI_LOCAL_DIR
override CAUNOI_LOCAL_DIR := $(abspath $(CAUNOI_LOCAL_DIR))
export CAUNOI_LOCAL_DIR
endif

RUN_ARGS ?=
PYTEST_ARGS ?=
# pytest-xdist workers: one per core (each has its own test database and Redis database, see
# tests/support/xdist_worker.py). PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= auto

# mypy's Django plugin and makemessages load the settings, which refuse to start without these. Neither
# connects to anything, so placeholders do when the variables are unset.
OFFLINE_SETTINGS := DJANGO_DEBUG=$${DJANGO_DEBUG:-true} \
	DATABASE_URL=$${DATABASE_URL:-postgres://127.0.0.1:5432/caunoi} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0}

# Tests and benchmarks run with DEBUG off, as in production, which makes the settings require a
# SECRET_KEY; a fixed throw-away one is fine there (nothing signed by it outlives the run).
TEST_SETTINGS := SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-and-benchmarks-only}

.PHONY: help venv run test lint types check bench requirements messages down

help:
	@echo "Targets: venv run test lint types check bench requirements messages down"
	@echo "  make run RUN_ARGS='--port 8001'    make test PYTEST_ARGS='-x -k intake'"

venv: $(VENV)/.installed

# Reinstalls only when a requirements file is newer than the stamp.
$(VENV)/.installed: $(REQUIREMENTS)
	@test -x $(VENV_PYTHON) || $(PYTHON) -m venv $(VENV)
	$(VENV_PYTHON) -m pip install --quiet $(addprefix -r ,$(REQUIREMENTS))
	@touch $@

run: venv
	cd backend && ../$(VENV_PYTHON) -m caunoi.devstack run $(RUN_ARGS)

# Chromium and nginx come from Debian: installed first when missing (as root), so a fresh machine passes.
test: venv
	bash tests/tools/install-system-packages
	$(TEST_SETTINGS) PYTHONPATH=backend $(DEVSTACK) exec -- python -m pytest -n $(PYTEST_WORKERS) --maxprocesses 8 $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check backend tests
	$(VENV)/bin/ruff format --check backend tests

types: venv
	$(OFFLINE_SETTINGS) $(VENV)/bin/mypy

check: lint types test

bench: venv
	bash tests/tools/install-system-packages wrk
	$(TEST_SETTINGS) PYTHONPATH=backend $(DEVSTACK) exec -- python tests/bench/run.py

# base first: embedded.in and dev.in are constrained by the pins it produces (-c base.txt).
requirements: venv
	for name in base embedded dev; do \
		$(VENV)/bin/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links --annotation-style=line \
			--output-file requirements/$$name.txt requirements/$$name.in || exit 1; \
	done

# Scans backend/ and frontend/ (templates, and the plain-text message templates) into backend/locale.
messages: venv
	$(OFFLINE_SETTINGS) PYTHONPATH=backend $(VENV_PYTHON) backend/manage.py makemessages -l vi -l en -e html,txt,py \
		--ignore '.venv/*' --ignore 'node_modules/*' --ignore 'tests/*' --ignore '*/migrations/*' \
		--ignore '.ci/*' --ignore '.mypy_cache/*' --ignore 'staticfiles/*' --ignore '.local/*'
	cd backend && $(OFFLINE_SETTINGS) ../$(VENV_PYTHON) manage.py compilemessages -l vi -l en

down:
	cd backend && ../$(VENV_PYTHON) -m caunoi.devstack down
