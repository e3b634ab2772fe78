# The two commands of the README: `make run` and `make test`. Everything a fresh machine needs is here.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_PASSWORD ?= songpan-demo-2026
export DEMO_PASSWORD

.PHONY: run dev test test-fast install lint format migrate seed serve collectstatic worker beat lock clean messages fuzz schema

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the lock file changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip check
	touch $@

# Browser assets (the Tibetan web font) from the npm registry, at the versions in package-lock.json.
node_modules/.installed: package-lock.json
	command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py import_divisions divisions/data/songpan-2023.csv
	$(BIN)/python manage.py seed_demo

# Static files for WhiteNoise (hashed names outside DEBUG): before gunicorn starts, and before the tests.
collectstatic: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

# The production server (gunicorn.conf.py: GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT), no seeding.
serve: collectstatic
	GUNICORN_BIND=127.0.0.1:$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py

# The demo, served as in production (gunicorn and WhiteNoise).
run: seed collectstatic
	@echo ""
	@echo "Songpan demo: http://127.0.0.1:$(PORT)/  accounts leader, office, township, department, cadre"
	@echo "Password (DEMO_PASSWORD): $(DEMO_PASSWORD)"
	@echo ""
	@$(BIN)/python manage.py demo_credentials
	@echo ""
	GUNICORN_BIND=127.0.0.1:$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py

# Django's development server, reloading on every code change (seeds like run).
dev: seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/mypy
	$(BIN)/pytest -p no:cacheprovider -q tests/project/test_layers.py

test: lint collectstatic
	$(BIN)/pytest -p no:cacheprovider -n 2

# The quick loop: everything but the tests marked slow (see tests/conftest.py). make test still runs them all.
test-fast: lint
	$(BIN)/pytest -p no:cacheprovider -n 2 -m "not slow"

# A longer schemathesis run against the API (make test runs 5 examples per operation).
fuzz: install
	SCHEMATHESIS_MAX_EXAMPLES=$${SCHEMATHESIS_MAX_EXAMPLES:-200} $(BIN)/pytest -p no:cacheprovider -n 2 tests/api/test_schemathesis.py

# Write the OpenAPI schema and validate it (also part of make test).
schema: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file openapi-schema.yaml

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A songpan worker -l info

beat: install
	$(BIN)/celery -A songpan beat -l info

# Regenerate the lock file after editing pyproject.toml.
lock: install
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans -l bo --ignore=.venv --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles node_modules
