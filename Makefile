# Powerdesk: two commands for a new user (`make run`, `make test`); the rest are helpers.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test test-faults install install-test migrate setup lint bench load container-smoke clean scheduler simulate bench-ingest stack-up stack-down stack-test

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
	$(BIN)/pytest -n 2 --dist loadgroup --ignore=tests/faults $(PYTEST_ARGS)

## fault tests (PostgreSQL connections terminated during writes; a private PostgreSQL cluster restarted
## and stopped under a stream of ingests through gunicorn; a private Redis killed before run and study
## submits; SQLite writers in several processes); with POWERDESK_CONTAINER_SMOKE=1 (CI sets it) also
## builds the image with podman and smoke-tests it (scripts/container-smoke.sh), then brings the compose
## stack up and breaks it on purpose (scripts/stack-test.sh); both as root, through `sudo -n` for others
test-faults: install-test
	$(BIN)/pytest tests/faults $(PYTEST_ARGS)
	if [ "$${POWERDESK_CONTAINER_SMOKE:-0}" = 1 ]; then \
		if [ "$$(id -u)" -eq 0 ]; then bash scripts/container-smoke.sh; else sudo -n -E bash scripts/container-smoke.sh; fi; \
		if [ "$$(id -u)" -eq 0 ]; then PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/stack-test.sh; \
		else sudo -n -E PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/stack-test.sh; fi; \
	fi

lint: install-test
	$(BIN)/ruff check .

bench: install
	$(BIN)/python benchmarks/optimiser.py

SIMULATOR_URL ?= http://127.0.0.1:8050
SIMULATOR_ARGS ?= --turbines 10 --interval 1

## simulated wind fleet against the local app (`make run` in another terminal), with the repair
## dispatcher beside it; needs an API key, made once with
##   SIMULATOR_API_KEY=$$(.venv/bin/flask apikey create simulator --scope turbines:write | tail -1) make simulate
simulate: install
	@test -n "$(SIMULATOR_API_KEY)" || { echo 'Set SIMULATOR_API_KEY, e.g.: SIMULATOR_API_KEY=$$($(BIN)/flask apikey create simulator --scope turbines:write | tail -1) make simulate'; exit 2; }
	$(BIN)/python -m jobs.turbines & DISPATCHER=$$!; trap 'kill $$DISPATCHER' EXIT INT TERM; \
	$(BIN)/python -m simulators.turbines $(SIMULATOR_ARGS) --url $(SIMULATOR_URL) --api-key "$(SIMULATOR_API_KEY)"

## turbine ingest throughput through gunicorn (2 workers) on SQLite, and PostgreSQL when
## BENCH_POSTGRES_URL names a server whose user may create databases
bench-ingest: install
	$(BIN)/python benchmarks/ingest.py $(if $(BENCH_POSTGRES_URL),--postgres-url $(BENCH_POSTGRES_URL),)

## page load benchmark against a running app (see benchmarks/load.py --help)
load: install
	$(BIN)/python benchmarks/load.py

container-smoke:
	bash scripts/container-smoke.sh

## the production stack (compose.yaml) with podman-compose, from locally built images (as root);
## STACK_ARGS="--scale worker=3" to scale; stack-down keeps the named volumes (STACK_ARGS=-v drops them)
stack-up: install-test
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/stack.sh up $(STACK_ARGS)

stack-down: install-test
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/stack.sh down $(STACK_ARGS)

## bring the stack up with 3 workers, break it on purpose (worker killed, PostgreSQL restarted, Redis
## stopped, scheduler restarted), check it recovers, time 1/2/3 workers, take it down with its volumes
stack-test: install-test
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/stack-test.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
