# Two commands on a fresh machine: `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := APP_ENV=development $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run serve db lint format test test-sqlite test-postgres test-clock browser bench clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(STAMP)

## The SQLite database with the standards and the demo data (repeatable).
db: install
	$(FLASK) init-db
	$(FLASK) demo

## Serve on http://127.0.0.1:5000
run: db
	$(FLASK) run --host 127.0.0.1 --port 5000

## Production serving with gunicorn (deploy/gunicorn.conf.py; docs/deploy.md). Needs SECRET_KEY (the
## same on every app server) and, for PostgreSQL, DATABASE_URL; upgrades the schema first.
serve: install
	@test -n "$$SECRET_KEY" || { echo "SECRET_KEY 未设置：export SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_hex(32))')" >&2; exit 1; }
	APP_ENV=production $(VENV)/bin/flask --app wsgi init-db
	APP_ENV=production $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Debian's Chromium (and a CJK font for its screenshots) for the browser tests:
## browsers cannot be downloaded by Playwright here.
browser:
	@{ test -x $(CHROMIUM) && fc-list 2>/dev/null | grep -q "Noto Sans CJK"; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; \
	  else echo "Missing: sudo apt-get install chromium fonts-noto-cjk" >&2; exit 1; fi; }

test-sqlite: install browser
	$(VENV)/bin/pytest

## The same suite against a real PostgreSQL server (started by tests/postgres.sh).
test-postgres: install
	TEST_DATABASE_URL=$$(tests/postgres.sh start) $(VENV)/bin/pytest -m "not browser"

## The non-browser suite again with Python's clock moved 800 days (over two years) ahead, ticking:
## a test that reads today's date unpinned fails here on the day it is written (tests/conftest.py).
test-clock: install
	TEST_CLOCK_DAYS_AHEAD=800 $(VENV)/bin/pytest -m "not browser" -p no:cacheprovider

test: lint test-sqlite test-postgres test-clock

bench: install
	$(PY) bench/assembly.py
	$(PY) bench/tight_banks.py
	$(PY) bench/exam_load.py
	$(PY) bench/request_instructions.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
