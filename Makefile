# Quick start (see README):
#   make run    install what is needed, build the sample workspace, start the dashboard
#   make test   install what is needed (Python packages, Chromium, PostgreSQL check) and run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WORKSPACE ?= data/workspace.gpkg
PORT ?= 8501

.PHONY: install install-dev run report test lint format bench sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The bundled sample workspace (synthetic data, labelled as such); rebuilt when the sample changes.
$(WORKSPACE): $(VENV)/.installed data/sources/sample.yaml $(wildcard data/sample/*)
	$(BIN)/siting init --manifest data/sources/sample.yaml --workspace $(WORKSPACE) --force

report: $(WORKSPACE)
	$(BIN)/siting coverage --workspace $(WORKSPACE)
	$(BIN)/siting gaps --workspace $(WORKSPACE) --top 10

run: $(WORKSPACE)
	$(BIN)/siting coverage --workspace $(WORKSPACE)
	SITING_WORKSPACE=$(WORKSPACE) $(BIN)/streamlit run app.py --server.headless=true --server.port=$(PORT) --browser.gatherUsageStats=false

test: $(VENV)/.installed-dev
	scripts/test-env.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run_all.py

sample: $(VENV)/.installed-dev
	$(BIN)/python -m siting.sample data/sample

clean:
	rm -rf $(VENV) $(WORKSPACE) .pytest_cache .ruff_cache
