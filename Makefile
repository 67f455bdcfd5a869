# Boeing Data Hub: every target installs what it needs into backend/.venv first.
SHELL := /bin/bash
PYTHON ?= python3
BACKEND := backend
VENV := $(BACKEND)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench lock migrate emulators clean

$(STAMP): $(BACKEND)/pyproject.toml $(BACKEND)/requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip uv
	@$(BIN)/uv pip install --quiet --python $(BIN)/python -r $(BACKEND)/requirements.lock
	@$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e "$(BACKEND)[local,dev]"
	@touch $(STAMP)

## run: the whole system on embedded defaults (Ctrl-C stops everything)
run: $(STAMP)
	cd $(BACKEND) && .venv/bin/boeing-hub up

## test: the suite against real PostgreSQL and Redis (TEST_DATABASE_URL / TEST_REDIS_URL, else embedded)
test: $(STAMP)
	cd $(BACKEND) && .venv/bin/pytest $(PYTEST_ARGS)

## lint: formatting, lint rules, types, layer contracts and the 400-line limit
lint: $(STAMP)
	cd $(BACKEND) && .venv/bin/ruff format --check . && .venv/bin/ruff check . \
		&& .venv/bin/mypy && .venv/bin/lint-imports && .venv/bin/python scripts/check_file_lengths.py

format: $(STAMP)
	cd $(BACKEND) && .venv/bin/ruff format . && .venv/bin/ruff check --fix .

## bench: the benchmarks (figures printed and written to backend/benchmarks/results/)
bench: $(STAMP)
	cd $(BACKEND) && .venv/bin/python -m benchmarks

migrate: $(STAMP)
	cd $(BACKEND) && .venv/bin/boeing-hub migrate

emulators: $(STAMP)
	cd $(BACKEND) && .venv/bin/boeing-hub emulators

## lock: re-pin requirements.lock from pyproject.toml (no index URLs are written)
lock:
	@test -x $(BIN)/uv || { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet uv; }
	cd $(BACKEND) && .venv/bin/uv pip compile pyproject.toml --extra local --extra dev \
		--no-header --no-annotate --quiet -o requirements.lock

clean:
	rm -rf $(VENV) .data
