# The two commands of the README: `make serve` and `make test`. Both create .venv when missing and
# (re)install whenever pyproject.toml changed, so they keep working after a `git pull`.

PYTHON ?= $(firstword $(shell command -v python3.11 python3 2>/dev/null))
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PACKAGES := graph resolver loaders api

.PHONY: serve test lint types contracts unit install clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "idgraph needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

# On first start (an empty store) the demo data set is written to demo-data/, loaded and resolved.
serve: $(VENV)/.installed
	$(BIN)/idgraph demo-data --out demo-data --load-if-empty
	$(BIN)/idgraph serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(VENV)/.installed-dev
	$(BIN)/mypy $(PACKAGES)

contracts: $(VENV)/.installed-dev
	$(BIN)/lint-imports

unit: $(VENV)/.installed-dev
	$(BIN)/pytest

test: lint types contracts unit

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
