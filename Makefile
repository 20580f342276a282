# Zvonok: two commands set everything up on a fresh machine.
#   make run   - install, write .env, migrate, load the shipped questionnaire and examples
#                once, create the admin once, serve the admin (make setup: all but serve)
#   make test  - install, run the whole test suite (DATABASE_URL picks the database)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test test-slow browser-test lint setup-run setup-dev clean bench bench-import fuzz bench-parse

# Tests never use a real secret; production settings refuse to start without one.
TEST_SECRET_KEY = tests-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-browser: requirements.txt requirements-dev.txt requirements-browser.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-browser.txt
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed-run

setup-run: $(VENV)/.installed-run
setup-dev: $(VENV)/.installed-dev

# The local demo runs with DEBUG on and the embedded SQLite database unless told otherwise.
# `setup` writes .env (kept when it exists) so that manage.py works without variables
# afterwards, and changes nothing that exists on a second run (interviews/demo.py).
setup: export DJANGO_DEBUG ?= 1
setup: setup-run
	$(PY) manage.py compile_translations -v 0
	$(PY) manage.py setup_demo --url http://$(HOST):$(PORT)/admin/

run: export DJANGO_DEBUG ?= 1
run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs in PYTEST_WORKERS processes (pytest-xdist: one per core, at most 4, each
# with its own test database); PYTEST_WORKERS=0 runs it in one process (for --pdb).
# --dist load hands each worker its tests in the order of tests/conftest.py: those without
# database first, then pytest-django's (transactional tests, which empty the database,
# after the others; grouping by file would mix them up), except the files of
# ONE_WORKER_FILES in tests/conftest.py, each sent whole to one worker.
PYTEST_WORKERS ?= auto
PYTEST_XDIST = -n $(PYTEST_WORKERS) --maxprocesses 4 --dist load

test: export DJANGO_SECRET_KEY ?= $(TEST_SECRET_KEY)
# The workers and the servers the tests start each import the project: let them reuse its
# compiled bytecode (__pycache__, git-ignored) even where the environment turns writing it
# off. Saves about 2.5 s of CPU per process.
test: export PYTHONDONTWRITEBYTECODE =
test: setup-dev
	$(PY) manage.py compile_translations -v 0
	$(PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# Tests too slow for `make test` (tests/test_fresh_clone.py: `make setup` and the README's
# commands in a fresh copy of the repository).
test-slow: export DJANGO_SECRET_KEY ?= $(TEST_SECRET_KEY)
test-slow: setup-dev
	$(PY) manage.py compile_translations -v 0
	ZVONOK_SLOW_TESTS=1 $(PY) -m pytest -p no:xdist -m slow $(PYTEST_ARGS)

# End-to-end tests in Debian's Chromium (apt-get install chromium), not part of `make test`.
# ZVONOK_SCREENSHOTS=1 also rewrites docs/screenshots/.
browser-test: export DJANGO_SECRET_KEY ?= $(TEST_SECRET_KEY)
browser-test: export ZVONOK_BROWSER_TESTS = 1
browser-test: $(VENV)/.installed-browser
	$(PY) manage.py compile_translations -v 0
	$(PY) -m pytest tests/browser -m browser $(PYTEST_ARGS)

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis

# The benchmark at scale on PostgreSQL (BENCH_SCALE, BENCH_DATABASE_URL, BENCH_RUNS,
# BENCH_FILES, BENCH_REGENERATE, BENCH_ICONTAINS=0 to skip the slow icontains search):
# generated data, admin pages, search, import. Not part of `make test`; see
# docs/benchmarks.md.
bench: setup-dev
	$(PY) -m bench.run

# Import throughput on PostgreSQL (BENCH_DATABASE_URL, BENCH_FILES): see docs/benchmarks.md.
bench-import: setup-dev
	$(PY) -m bench.import_bench

# Property tests of the parser with many more examples than `make test` runs.
fuzz: export DJANGO_SECRET_KEY ?= $(TEST_SECRET_KEY)
fuzz: export HYPOTHESIS_PROFILE = fuzz
fuzz: setup-dev
	$(PY) -m pytest tests/test_fuzz.py $(PYTEST_ARGS)

# Hostile inputs: parse time at 1x and 10x size (fails if any grows faster than linear), and
# every shape as a 2 MB file within 3 s of CPU and 300 MB (docs/benchmarks.md).
bench-parse: setup-dev
	$(PY) -m bench.parse_scaling
