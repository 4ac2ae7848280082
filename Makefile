# Two commands on a fresh Debian machine: `make build` and `make test`.
# Everything else is an invoke task (`.venv/bin/invoke --list`).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test setup system-deps test-system-deps node-deps lint clean

build: setup
	$(BIN)/invoke build

test: setup test-system-deps node-deps
	$(BIN)/invoke test

setup: $(STAMP)

system-deps:
	@PYTHON=$(PYTHON) scripts/system-deps.sh build

test-system-deps:
	@PYTHON=$(PYTHON) scripts/system-deps.sh test

$(STAMP): requirements.lock pyproject.toml | system-deps
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Serve Python 3.11 (trovato " + sys.version.split()[0] + "): installa python3.11 o usa PYTHON=/percorso/python3.11 make")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# pdf.js for the kit's form test in Chromium (tests/test_kit_pdfjs.py), exactly as locked.
node-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --omit=optional --ignore-scripts --no-audit --no-fund

lint: setup
	$(BIN)/invoke lint

clean:
	rm -rf $(VENV) output .output.versions .cache node_modules
