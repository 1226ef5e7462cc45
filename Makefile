# Two commands on a fresh machine (Python 3.11+, Node 20):
#   make demo   set up, render a synthetic walk with known truth, analyse it, compare
#   make test   set up (Python packages, emulators from npm) and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed

.PHONY: demo test lint bench setup clean

setup: $(PY_STAMP)

$(PY_STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

demo: $(PY_STAMP)
	$(BIN)/python -m gait demo

lint: $(PY_STAMP)
	$(BIN)/ruff check .

test: $(PY_STAMP) lint
	$(BIN)/python -m pytest

bench: $(PY_STAMP)
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/memory.py
	$(BIN)/python benchmarks/accuracy.py

clean:
	rm -rf $(VENV) node_modules out
