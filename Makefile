# Two commands for a fresh machine with Python 3.11+: `make demo` and `make test`.
# `make check` is the quick gate to run before every commit (under 90 s); `make test` is the whole suite.
PY ?= python3
VENV := .venv
BIN ?= $(VENV)/bin

.PHONY: install demo test lint check clean

$(BIN)/peermap: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/peermap

install: $(BIN)/peermap

# The demo builds into its own demo.db; --force rebuilds only a database the demo built itself.
demo: install
	$(BIN)/peermap --db demo.db demo --force

# Formatting, lint, strict types, the import contracts (pyproject.toml [tool.importlinter]) and the fast tests.
# Tests marked `slow` (end-to-end runs, city-sized data, the browser and the terminal) run only in `make test`.
check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q -m "not slow"

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) demo.db
