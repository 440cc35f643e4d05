PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.stamp-run
STAMP_DEV := $(VENV)/.stamp-dev

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pip install --quiet "pygambit" "powerindex" || echo "optional peer packages unavailable; their tests will skip"
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/restrat run case-region --out results/ --fit-demo

test: $(STAMP_DEV)
	$(BIN)/python -m pytest -q

lint: $(STAMP_DEV)
	$(BIN)/ruff check gametheory estimation restrat tests benchmarks

bench: $(STAMP_DEV)
	$(BIN)/python -m pip install --quiet -e ".[peers]" || true
	$(BIN)/restrat bench scenarios
	$(BIN)/restrat bench speed

clean:
	rm -rf $(VENV) build *.egg-info
