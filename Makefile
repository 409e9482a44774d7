# 娄底村级集体经济管理平台
#   make run    virtualenv, install, migrate, demo data and accounts, serve on http://127.0.0.1:8000
#   make test   the whole test suite (SQLite by default; DATABASE_URL/CELERY_BROKER_URL for PostgreSQL/Redis)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed lint worker beat serve bench bench-api clean docs-screenshots

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo ""
	@echo "娄底村级集体经济管理平台: http://$(HOST):$(PORT)/"
	@echo "演示账号(密码均为 demo12345):"
	@echo "  admin 系统管理员 | city 市委组织部 | agri 市农业农村局 | finance 市财政局"
	@echo "  county-<县市区代码> 县级审核员,例如 county-431302(娄星区)"
	@echo "  town-<乡镇代码> 乡镇填报员,例如 town-431302001(乐坪街道)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

# Figures, not pass/fail, on PostgreSQL: builds or reuses bench_loudi and bench_hunan (BENCH_ARGS=--national
# adds the 500,000-village set), then prints one table: median of 3, queries, peak memory, page size, ratio to limit.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_loudi
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py benchmark $(BENCH_ARGS)

# The income API's throughput (README "Income API throughput") against BENCH_API_DATABASE_URL, built once
# with migrate and seed_demo: gunicorn (3 workers) on BENCH_API_PORT, bench_api (BENCH_API_ARGS=--reads for
# reads), then gunicorn stopped, also when the driver fails.
BENCH_API_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_api
BENCH_API_PORT ?= 8100
bench-api: install
	export DATABASE_URL=$(BENCH_API_DATABASE_URL); \
	$(VENV)/bin/gunicorn loudi_portal.wsgi --workers 3 --bind 127.0.0.1:$(BENCH_API_PORT) --log-level warning & \
	pid=$$!; trap 'kill $$pid; wait $$pid' EXIT; \
	$(PY) -c "import socket, time; [time.sleep(0.2) for _ in range(100) if socket.socket().connect_ex(('127.0.0.1', $(BENCH_API_PORT)))]"; \
	$(PY) manage.py bench_api --url http://127.0.0.1:$(BENCH_API_PORT) $(BENCH_API_ARGS)

# The user guides' pictures (docs/screenshots/) are taken by the browser tests; this retakes them.
docs-screenshots: install
	SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest tests/browser -m browser -q -p no:cacheprovider

lint: install
	$(PY) -m ruff check .

worker: install
	$(VENV)/bin/celery -A loudi_portal worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A loudi_portal beat --loglevel=info

serve: install
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn loudi_portal.wsgi --bind $(HOST):$(PORT) --workers 3

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
