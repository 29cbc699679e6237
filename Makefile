# Two commands on a fresh machine with Python 3.11+:  make run   and   make test
# The fast loop while working:  make check  (lint, types, every test but the slow proofs, on SQLite)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PLAN   := plans/46-KH-UBND-2023.toml
PO     := $(wildcard locales/*/LC_MESSAGES/nhacviec.po)
MO     := $(PO:.po=.mo)

.PHONY: run demo test check install install-test catalogs extract lint typecheck bench clean

run: install catalogs
	$(BIN)/nhacviec db upgrade
	$(BIN)/nhacviec import-plan $(PLAN)
	$(BIN)/nhacviec run

# A one-minute look at the service: its own database (data/demo.db), plan 46, two focal persons and an admin,
# and a simulated clock from 07:59 on Friday 14/4/2023: the 08:00 reminder arrives about a minute later.
demo: install catalogs
	$(BIN)/nhacviec demo

# Everything, every proof included, on SQLite and (with TEST_DATABASE_URL) PostgreSQL: what CI runs. The proofs
# mostly wait (for processes, a browser, timers of the platforms they stand in for), so four workers share the
# two cores, and the type check runs beside the tests.
test: install-test catalogs
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	@types=$$(mktemp); $(BIN)/mypy >$$types 2>&1 & checking=$$!; \
	HYPOTHESIS_PROFILE=full $(BIN)/python -m pytest -n 4 --dist worksteal $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest ran no test: that is a failure here"; fi; \
	wait $$checking; typed=$$?; echo "mypy:"; cat $$types; rm -f $$types; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; exit $$typed

# Lint, types and every test but the slow process-level proofs (marked "proof"), on SQLite, with a quick
# count of property-test examples: at most a minute on two cores.
check: install-test catalogs
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/mypy
	env -u TEST_DATABASE_URL HYPOTHESIS_PROFILE=quick $(BIN)/python -m pytest -n auto --dist worksteal \
		-m "not proof and not postgres" -q $(PYTEST_ARGS)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "nhacviec needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Compiled catalogs are built here, never committed.
catalogs: $(MO)
locales/%/LC_MESSAGES/nhacviec.mo: locales/%/LC_MESSAGES/nhacviec.po | $(VENV)/.installed
	$(BIN)/pybabel compile -d locales -D nhacviec -l $* >/dev/null

# Maintainers: refresh the template and the catalogs after changing messages.
extract: install
	$(BIN)/pybabel extract -F babel.cfg -k t -k tn:1,2 --no-location --sort-output -w 100 -k _ -o locales/nhacviec.pot core scheduler bot web nhacviec
	$(BIN)/pybabel update -i locales/nhacviec.pot -d locales -D nhacviec -w 100 --no-fuzzy-matching

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/plan_reminders.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/plan_reader.py
	$(BIN)/python bench/hostile_documents.py
	$(BIN)/python bench/dashboard_load.py
	$(BIN)/python bench/province_year.py
	$(BIN)/python bench/period_file.py

clean:
	rm -rf $(VENV) $(MO)
