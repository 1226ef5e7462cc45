# Two commands on a fresh machine (Python 3.11+, Node 20):
#   make demo   set up, render a synthetic walk with known truth, analyse it, compare
#   make test   set up (Python packages, emulators from npm, Chromium from apt) and run the
#               whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
# npm writes this file on every install: a cheap "node_modules is up to date" stamp.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: demo test lint bench setup clean browser models package

setup: $(PY_STAMP) models

$(PY_STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# The person model's files, extracted from the mediapipe wheel on PyPI and checked against
# their SHA-256 (idempotent: nothing is fetched when they are present and intact).
models: $(PY_STAMP)
	$(BIN)/python scripts/fetch_models.py

# The emulators the Function App's tests start: Azurite and a Cosmos-protocol server.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

demo: $(PY_STAMP) models
	$(BIN)/python -m gait demo

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The report tests render in a real browser: Debian's chromium (and poppler's pdfinfo to
# count PDF pages), installed when missing. Needs root or sudo on a Debian/Ubuntu machine;
# in CI (CI=true) a missing browser fails the report tests instead of skipping them.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null && command -v pdfinfo >/dev/null || { \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils; }

test: $(PY_STAMP) $(NODE_STAMP) models browser lint
	$(BIN)/python -m pytest -m ""

bench: $(PY_STAMP)
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/memory.py
	$(BIN)/python -m benchmarks.accuracy

# The zip the Function App receives (.funcignore applied; the platform installs
# requirements.txt), with the person model's files (fetched and verified first).
package: $(PY_STAMP) models
	$(BIN)/python infra/package.py out/gait-api.zip

clean:
	rm -rf $(VENV) node_modules out
