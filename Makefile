# `make run` opens the app, `make test` runs the tests (`make test-fast` the quick lane),
# `make lint` checks style and import rules, `make dist` builds the executable
# (dist/digitlab/) and its release archive; each sets up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: run test test-fast lint dist clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-build: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[build]"
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/digitlab

test: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The fast lane: everything not marked slow (under a minute on two cores).
test-fast: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow"

# ruff (pycodestyle, pyflakes, isort, bugbear, pyupgrade, ...) and the import contracts in
# pyproject.toml (the core never imports Qt or the app; the app's layers import one way).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# PyInstaller replaces dist/digitlab/ on every run (its analysis cache in build/ makes a
# second run faster); tools/package.py then strips TensorFlow's libraries, writes
# dist/digitlab-<version>-<platform>.tar.gz and fails if either is over its size limit.
dist: $(VENV)/.installed-build
	$(BIN)/python -m PyInstaller --noconfirm --log-level WARN --distpath dist \
		--workpath build/pyinstaller build.spec
	$(BIN)/python tools/package.py

clean:
	rm -rf build dist
