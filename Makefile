# Quick start (see README):
#   make run    install what is needed, build the sample workspace, start the dashboard
#   make test   install what is needed (Python packages, Chromium, PostgreSQL check) and run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLE_WORKSPACE := data/workspace.gpkg
REFERENCE_WORKSPACE := data/reference.gpkg
REFERENCE_ROOT ?= ../shared/data/south-khorasan
# The workspace `run` and `report` open: WORKSPACE=..., else $$SITING_WORKSPACE, else the bundled sample.
WORKSPACE ?= $(or $(SITING_WORKSPACE),$(SAMPLE_WORKSPACE))
PORT ?= 8501
# The SAMPLE tracker database and its uploads (demo accounts, docs/tracker.md "Dashboard pages"): `run` on
# the sample workspace uses them unless DATABASE_URL is set; a real data/tracker.db is never touched.
SAMPLE_TRACKER := data/sample-tracker.db
SAMPLE_TRACKER_FILES := data/sample-uploads
ifeq ($(WORKSPACE)$(DATABASE_URL),$(SAMPLE_WORKSPACE))
RUN_TRACKER := $(SAMPLE_TRACKER)
RUN_TRACKER_ENV := DATABASE_URL=sqlite:///$(SAMPLE_TRACKER) SITING_TRACKER_FILES=$(SAMPLE_TRACKER_FILES)
endif

.PHONY: install install-dev run report reference test lint format bench sample sample-tracker clean check-wheel

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
$(SAMPLE_WORKSPACE): $(VENV)/.installed data/sources/sample.yaml $(wildcard data/sample/*)
	$(BIN)/siting init --manifest data/sources/sample.yaml --workspace $@ --force

# The reference workspace from ../shared/data/south-khorasan (real data; never committed).
$(REFERENCE_WORKSPACE): $(VENV)/.installed data/sources/south-khorasan.yaml
	$(BIN)/siting init --manifest data/sources/south-khorasan.yaml --root $(REFERENCE_ROOT) --workspace $@ --force

reference: $(REFERENCE_WORKSPACE)

# Rebuilt when the sample workspace, the builder, the workflow or the schema change; `run` also deletes
# it when older than a week (its dates — overdue steps, the licence expiring soon — count from its day).
$(SAMPLE_TRACKER): $(VENV)/.installed $(SAMPLE_WORKSPACE) siting/samples/tracker.py siting/tracker/workflow.yaml \
		$(wildcard siting/tracker/migrations/versions/*.py)
	rm -rf $@ $@-wal $@-shm $(SAMPLE_TRACKER_FILES)
	$(BIN)/python -m siting.samples.tracker --url sqlite:///$@ --workspace $(SAMPLE_WORKSPACE) \
		--files $(SAMPLE_TRACKER_FILES) || { rm -rf $@ $@-wal $@-shm $(SAMPLE_TRACKER_FILES); exit 1; }

sample-tracker: $(SAMPLE_TRACKER)

# Only the sample workspace is built on demand; any other must exist (see README).
WORKSPACE_DEP := $(if $(filter $(SAMPLE_WORKSPACE) $(REFERENCE_WORKSPACE),$(WORKSPACE)),$(WORKSPACE))

report: $(VENV)/.installed $(WORKSPACE_DEP)
	$(BIN)/siting coverage --workspace $(WORKSPACE)
	$(BIN)/siting gaps --workspace $(WORKSPACE) --top 10

run: $(VENV)/.installed $(WORKSPACE_DEP)
	$(BIN)/siting coverage --workspace $(WORKSPACE)
	$(if $(RUN_TRACKER),find $(RUN_TRACKER) -mtime +6 -delete 2>/dev/null; $(MAKE) --no-print-directory $(RUN_TRACKER))
	SITING_WORKSPACE=$(WORKSPACE) $(RUN_TRACKER_ENV) $(BIN)/streamlit run app.py --server.headless=true --server.address=127.0.0.1 \
		--server.port=$(PORT) --browser.gatherUsageStats=false

test: $(VENV)/.installed-dev
	scripts/test-env.sh
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# ruff's lint rules and mypy over the library (configured in pyproject.toml); the code is laid out by
# hand (100 columns), so `ruff format` is not applied.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

# A wheel from `pip wheel .`, installed in a fresh venv, runs init/validate/tracker init (CI runs it too).
check-wheel:
	scripts/check-wheel.sh

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run_all.py

sample: $(VENV)/.installed-dev
	$(BIN)/python -m siting.samples.bundled data/sample

clean:
	rm -rf $(VENV) $(SAMPLE_WORKSPACE) $(SAMPLE_TRACKER) $(SAMPLE_TRACKER)-wal $(SAMPLE_TRACKER)-shm \
		$(SAMPLE_TRACKER_FILES) .pytest_cache .ruff_cache
