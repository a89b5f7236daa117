# The two commands of the README. Both work on a fresh clone: they make the virtual environment
# and install what is missing first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
AXE    := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: run test browser-deps benchmark fuzz load-benchmark browser-benchmark

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

## Start the dashboard on http://127.0.0.1:8050 with the synthetic demo data
run: $(VENV)/.installed
	$(BIN)/python app.py $(ARGS)

## Run every test: unit, property-based and browser (headless Debian chromium)
test: $(VENV)/.installed browser-deps $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## axe-core, injected by the accessibility tests, at the version pinned in tests/browser/package-lock.json
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $@

## Debian's chromium and chromium-driver for the browser tests (Playwright cannot download browsers offline),
## and redis-server for the tests of the shared cache
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/redis-server ]; then \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver fonts-dejavu-core redis-server; \
	fi

## Speed and memory at 100k, 1M and 10M signals
benchmark: $(VENV)/.installed
	$(BIN)/python -m benchmarks.run $(ARGS)

## The fuzz suite at 10,000 cases (the test run has about 1,000): hostile links and callback requests
fuzz: $(VENV)/.installed
	HOTLINE_FUZZ_CASES=$${HOTLINE_FUZZ_CASES:-10000} $(BIN)/python -m pytest tests/test_fuzz.py -q $(PYTEST_ARGS)

## A crowd on gunicorn with Redis (benchmarks/load.py), and click-to-repaint in Chromium (benchmarks/browser.py)
load-benchmark: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python -m benchmarks.load $(ARGS)

browser-benchmark: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python -m benchmarks.browser $(ARGS)
