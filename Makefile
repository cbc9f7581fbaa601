# Two commands on a fresh machine with only Python 3.11+:
#   make run    set up, migrate, load demo data, serve on 127.0.0.1:$(PORT) (default 8000) as in
#               production: DEBUG off, the Chinese error pages, static files served by the app
#   make dev    the same with DEBUG on (Django's debug pages, templates reloaded)
#   make test   set up if needed, run the whole test suite (browser tests skip without chromium)
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
RESIDENTS ?= 2000
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run dev test e2e setup migrate demo lint bench clean

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

# `make run` is the embedded default: DEBUG off, so a 404 is the bureau's page and not a list of
# URL patterns. Plain http on this machine only: non-secure cookies, hosts 127.0.0.1 and localhost,
# a secret key made once for this checkout (not in git). WhiteNoise serves the collected static files.
SECRET_FILE := $(VENV)/.secret_key
RUN_ENV := DEBUG=false SECRET_KEY_FILE=$(SECRET_FILE) SECURE_COOKIES=false SECURE_SSL_REDIRECT=false \
	ALLOWED_HOSTS=127.0.0.1,localhost

$(SECRET_FILE): | $(BIN)/python
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $(SECRET_FILE)

run: demo $(SECRET_FILE)
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "打开 http://127.0.0.1:$(PORT)/ 用上面的演示账号登录"
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

dev: demo
	@echo "开发模式（DEBUG=true）：打开 http://127.0.0.1:$(PORT)/"
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: setup
	$(BIN)/python -m ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: setup
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
