# The two commands of the README: `make run` and `make test`. Everything else is their plumbing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: setup run test lint typecheck pytest model evaluate bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

model: setup
	$(PY) -m classifier train

run: setup
	$(VENV)/bin/tsunagu serve

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy

pytest: setup
	$(PY) -m pytest

test: lint typecheck pytest

evaluate: setup
	$(PY) -m classifier evaluate --json bench/results/evaluate.json

bench: setup
	$(PY) bench/classifier.py

clean:
	rm -rf $(VENV) var classifier/models .pytest_cache .mypy_cache .ruff_cache
