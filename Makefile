# The few verbs a newcomer needs. Each creates the virtual environment it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint migrate bench fuzz clean

$(BIN)/broadsheet: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

## run: migrate the SQLite database, load the sample corpus, serve on http://$(HOST):$(PORT)
run: $(BIN)/broadsheet
	$(BIN)/broadsheet migrate
	$(BIN)/broadsheet ingest samples
	$(BIN)/broadsheet serve --host $(HOST) --port $(PORT)

## test: the whole suite, on SQLite and on PostgreSQL (skipped with a reason locally if none is reachable)
test: $(BIN)/broadsheet
	$(BIN)/pytest

lint: $(BIN)/broadsheet
	$(BIN)/ruff check .
	$(BIN)/mypy app

migrate: $(BIN)/broadsheet
	$(BIN)/broadsheet migrate

## bench: ingest and read-path benchmarks on SQLite and PostgreSQL; prints a table
bench: $(BIN)/broadsheet
	$(BIN)/python -m bench

## fuzz: schemathesis with every check, 500 examples per operation, on SQLite and PostgreSQL (≈36 min each here)
fuzz: $(BIN)/broadsheet
	BROADSHEET_FUZZ_EXAMPLES=500 $(BIN)/pytest -q tests/test_fuzz.py

clean:
	rm -rf $(VENV) data
