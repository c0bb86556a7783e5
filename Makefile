# The single entry point, used the same way on a laptop and in CI.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz lint format bench worker beat setup migrate demo messages clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $(STAMP)

setup: $(STAMP)
	@mkdir -p var

migrate: setup
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py load_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py ensure_admin

run: export FORUM_SITE_URL ?= http://$(HOST):$(PORT)
run: demo
	@echo "Site: http://$(HOST):$(PORT)/  admin: /admin/  API docs: /api/docs/"
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# The schema-driven property test with many more examples than the suite's run, and fresh
# randomness each time (tests/forum_site/test_fuzz.py); FORUM_FUZZ_EXAMPLES=500 for longer.
fuzz: setup
	FORUM_FUZZ_EXAMPLES=$${FORUM_FUZZ_EXAMPLES:-60} FORUM_FUZZ_REPORT=1 LOG_LEVEL=ERROR \
	  $(PY) -m pytest tests/forum_site/test_fuzz.py -s -p no:logging $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup
	$(PY) bench/run.py

worker: setup
	$(VENV)/bin/celery -A forum_site worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-4}

beat: setup
	$(VENV)/bin/celery -A forum_site beat --loglevel=INFO --schedule=var/celerybeat-schedule

# Refresh the Japanese catalogues (needs GNU gettext). Each app keeps its own in
# <app>/locale/ja/ (nested apps are left to their own catalogue); the compiled .mo files
# are committed so that a fresh clone needs no gettext.
I18N_APPS := forum_site members:messaging members/messaging events:invitations,delegations,scheduling events/invitations events/delegations
messages: setup
	@for spec in $(I18N_APPS); do \
	  app=$${spec%%:*}; skip=$$(echo "$${spec#$$app}" | tr -d ':' | tr ',' ' '); \
	  ign=""; for s in $$skip; do ign="$$ign --ignore=$$s"; done; \
	  up=$$(echo $$app | sed 's#[^/]*#..#g'); mkdir -p $$app/locale; \
	  (cd $$app && DJANGO_DEBUG=1 $$up/$(PY) $$up/manage.py makemessages -l ja $$ign --ignore=tests -v0) || exit 1; \
	done
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l ja --ignore=.venv -v0

clean:
	rm -rf $(VENV) var/forum.sqlite3 var/mail .pytest_cache
