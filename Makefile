# Xarxa: `make up` runs the platform locally, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install up test test-fast lint format bench migration infra-up infra-down infra-status lock clean \
	web-assets chromium pdf-tools i18n-problems i18n-extract i18n-update i18n-compile screenshots

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## virtualenv with the pinned dependencies

# The portal's packages from npm (lock file in services/web): Natural Earth shapes, Swagger UI, axe-core.
WEB := services/web
WEB_STAMP := $(WEB)/node_modules/.package-lock.json
$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

web-assets: $(WEB_STAMP) ## the portal's npm packages

chromium: ## Debian's Chromium, which the portal's browser tests drive (Playwright never downloads one)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

pdf-tools: ## poppler's pdftoppm/pdftotext, with which the tests read the resolution PDFs page by page
	command -v pdftoppm >/dev/null || (apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null)

# Catalogues of the portal (Babel): extract the marked strings, merge them into ca/es/en, compile to check.
I18N := $(WEB)/locale
i18n-extract: $(STAMP)
	$(BIN)/pybabel extract -F $(WEB)/babel.cfg -k _ --no-location --sort-output -o $(I18N)/messages.pot .
i18n-update: i18n-extract
	$(BIN)/pybabel update -i $(I18N)/messages.pot -d $(I18N) --no-fuzzy-matching --ignore-obsolete
i18n-compile: $(STAMP) ## .mo files (fails on a broken catalogue); the portal also compiles the .po in memory at start
	$(BIN)/pybabel compile -d $(I18N) --statistics

screenshots: $(STAMP) $(WEB_STAMP) chromium ## docs/screenshots/{home,city,project}.png from a real stack with the demo data
	$(BIN)/python -m tests.web.screenshots docs/screenshots

up: $(STAMP) $(WEB_STAMP) ## infrastructure, migrations, services, gateway, demo data; Ctrl-C stops all
	$(BIN)/xarxa up

test: $(STAMP) $(WEB_STAMP) chromium pdf-tools ## the whole suite: starts its own PostgreSQL and Kafka on free ports
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

test-fast: $(STAMP) ## pure logic only, no servers
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not integration" $(PYTEST_ARGS)

lint: $(STAMP) ## ruff, mypy and the layer contracts (pyproject.toml [tool.importlinter])
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared services xarxa tests bench

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) ## benchmarks: own infrastructure, figures beside their limits, never pass/fail
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench

migration: $(STAMP) ## draft a migration from the models: make migration SERVICE=funding MESSAGE="what changed" (after make infra-up)
	$(BIN)/xarxa migration $(SERVICE) "$(MESSAGE)"

infra-up: $(STAMP)
	$(BIN)/xarxa infra up
infra-down: $(STAMP)
	$(BIN)/xarxa infra down
infra-status: $(STAMP)
	$(BIN)/xarxa infra status

lock: ## re-pin every dependency from pyproject.toml
	rm -rf /tmp/xarxa-lock && $(PYTHON) -m venv /tmp/xarxa-lock
	/tmp/xarxa-lock/bin/pip install -q '.[dev]'
	/tmp/xarxa-lock/bin/pip freeze --exclude xarxa > requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache

i18n-problems: $(STAMP) ## the API's problem texts: shared/locale/problems.pot merged into ca/es/pt/fr (lists what lacks a translation)
	$(BIN)/python -m xarxa.problem_catalogue
