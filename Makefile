# Powerdesk: two commands for a new user (`make run`, `make test`); the rest are helpers.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test install install-test migrate setup lint bench container-smoke clean scheduler

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/flask db upgrade

## migrate, create `admin` on an empty database (password printed once unless
## POWERDESK_ADMIN_PASSWORD is set), load the demo data; idempotent
setup: install
	$(BIN)/flask setup

## Quickstart 1: install, set up the SQLite database under instance/, serve on http://127.0.0.1:8050
run: setup
	$(BIN)/python app.py

## the scheduler process: the daily price email and other scheduled jobs (Celery beat when REDIS_URL is set)
scheduler: setup
	$(BIN)/python -m jobs.scheduler

## Quickstart 2: lint and the whole test suite
test: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

bench: install
	$(BIN)/python benchmarks/optimiser.py

container-smoke:
	bash scripts/container-smoke.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
