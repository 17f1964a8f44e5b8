# Pilotage: `make run` sets up and starts everything; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SCALE ?= small
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run setup deps dev-deps pins assets messages migrate demo test lint typecheck pytest chromium dovecot fonts pdftotext bench clean

help:
	@echo "make run      set up (venv, packages, assets, database, demo data) and start server + worker"
	@echo "make test     every check: ruff format, ruff check, mypy, makemigrations --check, pytest"
	@echo "make demo     rebuild the demo database (SCALE=small|region|national)"
	@echo "make bench    run the benchmarks in bench/ (PostgreSQL)"
	@echo "make pins     recompile requirements/*.txt from pyproject.toml (UPGRADE=--upgrade to move every pin)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Pilotage needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(PY)
	$(PIP) install --quiet --require-hashes -r requirements/base.txt
	@touch $@

$(VENV)/.dev-installed: requirements/dev.txt | $(PY)
	$(PIP) install --quiet --require-hashes -r requirements/dev.txt
	@touch $@ $(VENV)/.base-installed

deps: $(VENV)/.base-installed
dev-deps: $(VENV)/.dev-installed

# pyproject.toml holds the only list of dependencies and their bounds; requirements/*.txt
# are the exact, hash-checked pins compiled from it. Without UPGRADE the existing pins are
# kept and only what changed in pyproject.toml moves; UPGRADE=--upgrade moves every pin to
# the newest allowed version, UPGRADE="--upgrade-package Django" one package. The check
# after compiling keeps download addresses, index names and local paths out of the pins.
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --allow-unsafe --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links $(UPGRADE)
pins: $(VENV)/.dev-installed
	$(PIP_COMPILE) -o requirements/base.txt pyproject.toml
	$(PIP_COMPILE) --extra dev -o requirements/dev.txt pyproject.toml
	@! grep -nE -- '--(extra-)?index-url |--find-links |--trusted-host |://|[ =](/|~/)[A-Za-z]' requirements/base.txt requirements/dev.txt || { echo "requirements/*.txt name an index, an address or a local path: remove them"; exit 1; }

# Front-end packages come from the npm registry at build time and are copied into
# assets/ (git-ignored), which whitenoise serves. Nothing is loaded from a CDN.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20+) is needed to build the front-end assets"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

assets/.built: node_modules/.package-lock.json
	mkdir -p assets/vendor/morocco-map
	cp node_modules/htmx.org/dist/htmx.min.js assets/vendor/
	cp node_modules/echarts/dist/echarts.min.js assets/vendor/
	cp node_modules/morocco-map/data/regions.json node_modules/morocco-map/data/provinces.json assets/vendor/morocco-map/
	# World countries (Natural Earth, public domain; ids are ISO 3166-1 numeric) for the
	# cooperation map of partner actions, and the TopoJSON reader that turns them into GeoJSON.
	cp node_modules/world-atlas/countries-110m.json assets/vendor/
	cp node_modules/topojson-client/dist/topojson-client.min.js assets/vendor/
	@touch $@

assets: assets/.built

# Compiled catalogues (.mo) are built from the committed .po files.
messages: | $(PY)
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq gettext >/dev/null; } || { echo "GNU gettext (msgfmt) is needed: apt-get install gettext"; exit 1; }
	@test -d pilotage/locale || { echo "pilotage/locale is missing: no translations to compile"; exit 1; }
	@cd pilotage && ../$(PY) ../manage.py compilemessages --verbosity 0

# Bulletins are typeset with Debian's Noto fonts (Noto Sans, Noto Naskh Arabic); no font
# file is in the repository.
fonts:
	@test -f /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf -a -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core >/dev/null; } || { echo "fonts-noto-core is needed for the bulletins: apt-get install fonts-noto-core"; exit 1; }

# The bulletin tests read the PDFs back with poppler's pdftotext.
pdftotext:
	@command -v pdftotext >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; } || echo "pdftotext is not installed: bulletin tests will skip (they fail under CI=true)"

setup: deps assets messages fonts
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: setup
	$(PY) manage.py seed_demo --scale $(SCALE) --if-empty
	@$(PY) manage.py demo_accounts
	@echo "Pilotage on http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the job worker)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py db_worker --no-reload --interval 1 & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# The audit log is append-only, so demo data is never deleted row by row: the embedded
# database is recreated (with PostgreSQL, drop and create the database first).
demo: deps assets messages
	@if [ -z "$$DATABASE_URL" ]; then rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm; fi
	$(MAKE) setup
	$(PY) manage.py seed_demo --scale $(SCALE)

# Browser tests drive Debian's Chromium; install it when missing and we are root.
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || echo "chromium is not installed: browser tests will skip (they fail under CI=true)"

# The contact centre's mail tests run a private dovecot (IMAP); install it when missing and we are root.
dovecot:
	@command -v dovecot >/dev/null || test -x /usr/sbin/dovecot || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; } || echo "dovecot is not installed: mail tests will skip (they fail under CI=true)"

lint: dev-deps
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: dev-deps
	$(VENV)/bin/mypy pilotage

pytest: dev-deps assets messages chromium dovecot fonts pdftotext
	$(PY) manage.py makemigrations --check --dry-run --verbosity 1
	# Tests marked postgres need a real PostgreSQL server: .ci/run runs them in its PostgreSQL pass.
	$(VENV)/bin/pytest -m "not postgres" $(PYTEST_ARGS)

test: dev-deps assets messages chromium dovecot fonts pdftotext lint typecheck pytest

bench: dev-deps assets
	for script in bench/marks_peak.py bench/import_enrolments.py bench/report_cards.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules assets staticfiles
