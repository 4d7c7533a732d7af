# Two commands on a fresh machine: `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := APP_ENV=development $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install install-dev run serve db lint format test test-sqlite test-postgres test-clock browser bench clean

$(PY):
	python3 -m venv $(VENV)

## What runs in production: requirements.txt at the versions of constraints.txt, no test tools.
$(STAMP): requirements.txt constraints.txt | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt -c constraints.txt
	touch $@

## The test and bench tools on top (pytest, ruff, Playwright, Hypothesis, OR-Tools).
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@

install: $(STAMP)

install-dev: $(DEV_STAMP)

## The SQLite database with the standards and the demo data (repeatable).
db: install
	$(FLASK) init-db
	$(FLASK) demo

## Serve on http://127.0.0.1:5000 (another address or port: make run HOST=0.0.0.0 PORT=8080)
run: db
	$(FLASK) run --host $(HOST) --port $(PORT)

## Production serving with gunicorn (deploy/gunicorn.conf.py; docs/deploy.md). Needs SECRET_KEY (the
## same on every app server) and, for PostgreSQL, DATABASE_URL; upgrades the schema first.
serve: install
	@test -n "$$SECRET_KEY" || { echo "SECRET_KEY 未设置：export SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_hex(32))')" >&2; exit 1; }
	APP_ENV=production $(VENV)/bin/flask --app wsgi init-db
	APP_ENV=production $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Debian's Chromium (and a CJK font for its screenshots) for the browser tests:
## browsers cannot be downloaded by Playwright here.
browser:
	@{ test -x $(CHROMIUM) && fc-list 2>/dev/null | grep -q "Noto Sans CJK"; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; \
	  else echo "Missing: sudo apt-get install chromium fonts-noto-cjk" >&2; exit 1; fi; }

test-sqlite: install-dev browser
	$(VENV)/bin/pytest

## The same suite against a real PostgreSQL server (tests/postgres.sh): a cluster of this run's own, in a
## fresh directory on a free port, stopped and removed at the end whatever the outcome (two clones never collide).
test-postgres: install-dev
	@set -e; export PG_TEST_DIR=$$(mktemp -d /tmp/skillcert-pg.XXXXXX); \
	export PG_TEST_PORT=$$($(PY) -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	trap 'tests/postgres.sh stop; rm -rf "$$PG_TEST_DIR"' EXIT; \
	url=$$(tests/postgres.sh start); TEST_DATABASE_URL=$$url $(VENV)/bin/pytest -m "not browser"

## The non-browser suite again with Python's clock moved 800 days (over two years) ahead, ticking:
## a test that reads today's date unpinned fails here on the day it is written (tests/conftest.py).
test-clock: install-dev
	TEST_CLOCK_DAYS_AHEAD=800 $(VENV)/bin/pytest -m "not browser" -p no:cacheprovider

test: lint test-sqlite test-postgres test-clock

bench: install-dev
	$(PY) bench/assembly.py
	$(PY) bench/tight_banks.py
	$(PY) bench/exam_load.py
	$(PY) bench/request_instructions.py
	$(PY) bench/registry_scale.py
	$(PY) bench/survey_scale.py
	$(PY) bench/rating_scale.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
