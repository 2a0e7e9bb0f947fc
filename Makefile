# The two commands of the README: `make run` and `make test`. Everything else is their plumbing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
# The handoff tests also run on this PostgreSQL when it answers (trust auth, database `test`).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export TSUNAGU_TEST_POSTGRES_URL := $(TEST_POSTGRES_URL)

.PHONY: setup catalogs extract run test lint typecheck pytest model evaluate bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)
	$(MAKE) catalogs

catalogs:
	$(VENV)/bin/pybabel compile --directory locales --domain messages --statistics

# Re-extract resident- and consultant-facing strings into locales/messages.pot.
extract: setup
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k _ -k ngettext:1,2 --no-location \
		--sort-output --project tsunagu --version 0.1 -w 100 -o locales/messages.pot .

model: setup
	$(PY) -m classifier train

run: setup
	$(VENV)/bin/tsunagu serve

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy

pytest: setup catalogs
	@$(PY) -c "from tests.handoff.databases import postgres_status; print(postgres_status())"
	$(PY) -m pytest

test: lint typecheck pytest

evaluate: setup
	$(PY) -m classifier evaluate --json bench/results/evaluate.json

bench: setup
	$(PY) bench/classifier.py
	$(PY) bench/startup.py
	$(PY) bench/webhook.py

clean:
	rm -rf $(VENV) var classifier/models .pytest_cache .mypy_cache .ruff_cache
