PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.stamp-run
STAMP_DEV := $(VENV)/.stamp-dev
FLOORS_VENV ?= /tmp/restrat-floors-venv

.PHONY: demo test lint bench floors clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# the dev extra holds everything the tests import (nutpie, jax, dask, powerindex, the
# docs toolchain): nothing is installed by hand and no test skips for a missing package
$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/restrat run case-region --out results/ --overwrite --fit-demo

test: $(STAMP_DEV)
	$(BIN)/python -m pytest -q --durations=20

lint: $(STAMP_DEV)
	$(BIN)/ruff check gametheory estimation restrat tests benchmarks

# install the LOWEST versions pyproject.toml allows (a constraints file of the floors)
# in a new venv and smoke-test the package there
floors:
	rm -rf $(FLOORS_VENV)
	$(PYTHON) -m venv $(FLOORS_VENV)
	$(FLOORS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PYTHON) tools/floors.py pyproject.toml > $(FLOORS_VENV)/floors.txt
	cat $(FLOORS_VENV)/floors.txt
	$(FLOORS_VENV)/bin/python -m pip install --quiet -c $(FLOORS_VENV)/floors.txt . \
	  > $(FLOORS_VENV)/pip.log 2>&1 || { grep -v "^WARNING: Location" $(FLOORS_VENV)/pip.log; exit 1; }
	$(FLOORS_VENV)/bin/python -m pip list --format=freeze > $(FLOORS_VENV)/installed.txt
	cd $(FLOORS_VENV) && $(FLOORS_VENV)/bin/python $(CURDIR)/tools/smoke.py

bench: $(STAMP_DEV)
	$(BIN)/python -m pip install --quiet -e ".[peers]" || true
	$(BIN)/restrat bench scenarios
	$(BIN)/restrat bench speed

clean:
	rm -rf $(VENV) build *.egg-info
