# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test fuzz install install-dev migrate lint clean web web-dev check-python check-node

# --- tools: one clear line when one is missing or too old ------------------------------------------------------
# Python 3.11+ whose sqlite3 is 3.35+ (RETURNING); the venv's once it exists, else $(PYTHON).
CHECKED_PYTHON = $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON))
define PYTHON_CHECK
import sys
if sys.version_info < (3, 11):
    sys.exit(f"ledger needs Python 3.11+, {sys.executable} is {sys.version.split()[0]}: install python3.11 "
             "or newer and pass PYTHON=python3.11 (after `make clean` if .venv was made with the old one)")
import sqlite3
if sqlite3.sqlite_version_info < (3, 35):
    sys.exit(f"ledger needs SQLite 3.35+ (RETURNING), the sqlite3 of {sys.executable} is {sqlite3.sqlite_version}: "
             "pass PYTHON= a Python built with a newer SQLite (after `make clean` if .venv was made with this one)")
endef
export PYTHON_CHECK

# Node.js 20.19+ or 22.12+ (what Vite needs), with npm.
define NODE_CHECK
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19) || major === 21 || (major === 22 && minor < 12)) {
  console.error(`ledger's web app needs Node.js 20.19+ (or 22.12+), node is ${process.version}: install a newer Node.js`);
  process.exit(1);
}
endef
export NODE_CHECK

check-python:
	@command -v $(CHECKED_PYTHON) >/dev/null 2>&1 || { echo "ledger needs Python 3.11+: $(CHECKED_PYTHON) is not on PATH; install it or pass PYTHON=python3.11" >&2; exit 1; }
	@$(CHECKED_PYTHON) -c "$$PYTHON_CHECK"

check-node:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { echo "ledger's web app needs Node.js 20.19+ with npm: install them (node or npm is not on PATH)" >&2; exit 1; }
	@node -e "$$NODE_CHECK"

# --- Python --------------------------------------------------------------------------------------------------------
$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/flask db upgrade

# --- the web app (web/ → web/dist, served by Flask) ---------------------------------------------------------------
# npm ci when node_modules is missing or older than the lock file (npm ci writes node_modules/.package-lock.json).
web/node_modules/.package-lock.json: web/package-lock.json web/package.json | check-node
	cd web && npm ci --no-audit --no-fund
	touch $@

# `npm run build` type-checks (tsc) and builds (vite); again only when a source changed.
WEB_SOURCES := $(shell find web/src web/public web/docs-src -type f 2>/dev/null) \
               $(wildcard web/index.html web/vite.config.ts web/tsconfig*.json)
web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES) | check-node
	cd web && npm run build
	touch $@

## make web: build the SPA into web/dist (npm ci when needed, type-check, vite build)
web: check-node web/dist/index.html

## make web-dev: Vite's dev server (hot reload) on http://127.0.0.1:5173, /api proxied to a gunicorn on
## 127.0.0.1:8000 started here (or your own `flask --debug run --port 8000`, left running, when 8000 is taken)
web-dev: check-node migrate web/node_modules/.package-lock.json
	@if $(BIN)/python -c "import socket, sys; sys.exit(socket.socket().connect_ex(('127.0.0.1', 8000)) != 0)"; then \
	  echo "web-dev: something already listens on 127.0.0.1:8000; /api goes there"; \
	  cd web && exec npm run dev; \
	else \
	  $(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:8000 wsgi:app & gunicorn=$$!; \
	  trap 'kill $$gunicorn 2>/dev/null' EXIT INT TERM; \
	  cd web && npm run dev; \
	fi

## make run: venv, install, migrate, build the web app, serve with gunicorn on 127.0.0.1:8000 (SQLite, development)
run: check-python migrate web
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

## make test: venv, dev install, web build; the whole pytest suite (PostgreSQL too when TEST_DATABASE_URL is set,
## the browser tests when Chromium is installed) and the web app's Vitest units. Both run; either failing fails.
test: check-python install-dev web
	@status=0; \
	(cd web && npm test) || status=1; \
	$(BIN)/python -m pytest $(PYTEST_ARGS) || status=1; \
	exit $$status

## make fuzz: schemathesis, every check, fixed seed, against gunicorn -w 2 (fuzz/run.py; on PostgreSQL when
## TEST_DATABASE_URL is set, in a database of its own); fails when anything is found
fuzz: install-dev
	$(BIN)/python fuzz/run.py $(FUZZ_ARGS)

## make lint: ruff and mypy over the Python (mypy.ini; strict on the newer modules); tsc, ESLint and Prettier
## (--check) over web/ (npm run lint)
lint: install-dev web/node_modules/.package-lock.json
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/mypy || status=1; \
	(cd web && npm run lint) || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) .pytest_cache
