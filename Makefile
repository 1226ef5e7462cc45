# Two commands on a fresh machine (Python 3.11+, Node 20):
#   make demo   set up, render a synthetic walk with known truth, analyse it, compare
#   make test   set up (Python packages, emulators from npm) and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
# npm writes this file on every install: a cheap "node_modules is up to date" stamp.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: demo test lint bench setup clean package

setup: $(PY_STAMP)

$(PY_STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# The emulators the Function App's tests start: Azurite and a Cosmos-protocol server.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

demo: $(PY_STAMP)
	$(BIN)/python -m gait demo

lint: $(PY_STAMP)
	$(BIN)/ruff check .

test: $(PY_STAMP) $(NODE_STAMP) lint
	$(BIN)/python -m pytest

bench: $(PY_STAMP)
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/memory.py
	$(BIN)/python benchmarks/accuracy.py

# The zip the Function App receives (.funcignore applied; the platform installs
# requirements.txt). Fetches the person model first where a `models` target exists.
package: $(PY_STAMP)
	@if $(MAKE) -n models >/dev/null 2>&1; then $(MAKE) models; \
	else echo "package: no 'models' target yet; the zip holds no person model"; fi
	$(BIN)/python infra/package.py out/gait-api.zip

clean:
	rm -rf $(VENV) node_modules out
