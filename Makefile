# The two set-up commands: `make plan` (offline plan of the dev stack) and `make test`.
# Both create .venv and install the pinned dependencies when they are missing or changed.

PYTHON_SYSTEM ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
STACK ?= dev

.PHONY: plan test lint format bench

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(PYTHON) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(INSTALLED)

plan: $(INSTALLED)
	$(PYTHON) -m secretsctl plan --stack $(STACK) --placeholders --format table

test: $(INSTALLED)
	$(PYTHON) -m pytest

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(INSTALLED)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(INSTALLED)
	$(PYTHON) -m bench.side_by_side
	$(PYTHON) -m bench.plan_speed
	$(PYTHON) -m bench.rotation_speed
