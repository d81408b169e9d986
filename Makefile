# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test fuzz install install-dev migrate lint clean

$(BIN)/python:
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

## make run: venv, install, migrate, serve with gunicorn on 127.0.0.1:8000 (SQLite, development)
run: migrate
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

## make test: venv, dev install, the whole pytest suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make fuzz: schemathesis, every check, fixed seed, against gunicorn -w 2 (fuzz/run.py; on PostgreSQL when
## TEST_DATABASE_URL is set, in a database of its own); fails when anything is found
fuzz: install-dev
	$(BIN)/python fuzz/run.py $(FUZZ_ARGS)

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
