# PWS-ILP map. Quick start: `make run` (demo on http://127.0.0.1:8050), `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8050
DEMO := data/geo/demo_9901

.PHONY: run test bench lint system-deps venv demo screenshot clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/pws load-demo --if-empty
	@echo "PWS-ILP map: http://$(HOST):$(PORT)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --threads 4 --timeout 120 \
		--access-logfile - dashboard.wsgi:server

system-deps:
	./scripts/install-system-deps.sh

test: system-deps $(STAMP)
	$(BIN)/python -m pytest

bench: system-deps $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check layers dashboard tests bench scripts

demo: $(STAMP)
	$(BIN)/pws demo --out $(DEMO)

screenshot: system-deps $(STAMP)
	$(BIN)/python scripts/screenshot.py docs/screenshot.png

clean:
	rm -rf $(VENV) var .pytest_cache
