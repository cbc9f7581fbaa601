# Two commands on a fresh machine with only Python 3.11+:
#   make run    set up, migrate, load demo data, serve on 127.0.0.1:$(PORT) (default 8000)
#   make test   set up if needed, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
RESIDENTS ?= 2000
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup migrate demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[test]"
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo --residents $(RESIDENTS)

run: demo
	@echo "打开 http://127.0.0.1:$(PORT)/ 用上面的演示账号登录"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: setup
	$(BIN)/python -m ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: setup
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
