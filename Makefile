# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
HOST ?= 127.0.0.1
PORT ?= 5000
# Absolute links (feed, sitemap) point where the portal is served, unless SITE_URL says otherwise.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test check setup install lint bench audit scan-tools clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Migrate the database, load content/, build the search index.
setup: install
	$(FLASK) db upgrade
	$(FLASK) content load content
	@if [ "$${DEMO_DATA:-1}" != "0" ]; then $(FLASK) content load demo; fi
	$(FLASK) search rebuild

## Serve the portal on http://127.0.0.1:5000
run: setup
	@echo "Cổng thông tin: http://$(HOST):$(PORT)"
	@if [ "$${DEMO_DATA:-1}" != "0" ]; then echo "Có dữ liệu minh họa (demo/, được đánh dấu «Minh họa»); chạy không có chúng: DEMO_DATA=0 make run"; fi
	SITE_URL=$(SITE_URL) $(BIN)/gunicorn --workers 2 --limit-request-line 8190 --bind $(HOST):$(PORT) --access-logfile - "portal:create_app()"

## Node tools the browser checks use (axe-core, the Nu HTML checker, Lighthouse), pinned in package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility checks will be skipped (install Node.js to run them)"; fi

## The security scanner, in its own virtualenv: it pins older Flask and SQLAlchemy than ours.
.venv-scan/.installed: requirements-scan.txt
	$(PYTHON) -m venv .venv-scan
	.venv-scan/bin/pip install --quiet --upgrade pip
	.venv-scan/bin/pip install --quiet -r requirements-scan.txt
	touch $@

scan-tools: .venv-scan/.installed

## The whole test suite (browser checks included where Chromium is installed): spread over the
## cores, then the tests held to a time bound alone. Each part prints its count.
## One worker more than the cores: browser, scanner and server tests spend much of their time
## waiting. Test files are handed out in the order tests/conftest.py gives (the longest first).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
TEST_SPREAD := -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder
test: setup node_modules/.package-lock.json scan-tools
	$(BIN)/pytest $(TEST_SPREAD) -m "not solo"
	$(BIN)/pytest -m solo

## The fast tests (no browser, no server started, no scanner), spread over the cores: run after every change.
## Failures and errors are listed at the end; the skipped (PostgreSQL-only cases) only counted.
FAST := -m "not slow"
check: install
	$(BIN)/pytest -q -rfE -n $${CHECK_WORKERS:-auto} -p no:cacheprovider $(FAST)

lint: install
	$(BIN)/ruff check portal tests bench
	$(BIN)/lint-imports
	$(BIN)/bandit -q -r portal --severity-level medium

## Lighthouse scores (performance, accessibility, best practices, SEO) of the main pages.
audit: install node_modules/.package-lock.json
	$(BIN)/python -m tests.browser.lighthouse

bench: install
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) .venv-scan .pytest_cache
