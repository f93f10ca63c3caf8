# Two commands matter: `make run` (demo site, embedded default) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install demo lint format bench clean

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

install: $(BIN)/.installed

# Installs, prepares the embedded SQLite database with the demo, and serves the site (Celery eager).
run: install
	DEBUG=1 $(BIN)/python manage.py demo
	@echo "Situs: http://$(HOST):$(PORT)/  (berhenti: Ctrl+C)"
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

demo: install
	DEBUG=1 $(BIN)/python manage.py demo

# The test suite. Uses PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set (CI sets them).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/build.py
	$(BIN)/python bench/answers.py

clean:
	rm -rf $(VENV) db.sqlite3* test-db.sqlite3* staticfiles
