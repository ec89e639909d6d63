# kggraph — the two commands of the README are `make run` and `make test`; `make help` lists all.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed

.PHONY: help install run build validate readme test test-fast lint typecheck pytest bench bench-endpoint bench-scale soak clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The query page's YASGUI, served by kggraph itself from node_modules/ (no CDN). `npm ci` installs
# exactly the lock file; its packages' install scripts are not needed for static files.
$(NODE_STAMP): package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --ignore-scripts; \
	else npm install --no-audit --no-fund --ignore-scripts; fi
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP) ## Create .venv, install kggraph with its development tools, and npm packages

run: install ## The main job: build and validate the graph if stale, then serve it on 127.0.0.1:8000
	$(BIN)/kggraph serve

build: install ## Build, validate and publish the graph into dist/ (no server)
	$(BIN)/kggraph build

validate: $(STAMP) ## Validate the graph against the shapes, write nothing
	$(BIN)/kggraph validate

readme: build ## Build, then rewrite the README's "What is in the graph" block
	$(BIN)/kggraph summary --readme README.md

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

typecheck: $(STAMP) ## mypy --strict on src/ and tools/
	$(BIN)/mypy

pytest: install ## The test suite only
	$(BIN)/pytest

test: lint typecheck pytest ## Install, then lint, type-check and run every test

test-fast: install ## The inner loop: the tests not marked slow (no builds, servers, Chromium or fuzzing of their own)
	$(BIN)/pytest -m "not slow"

BENCH_STAMP := $(VENV)/.bench-stamp

# The endpoint benchmark's peers (oxigraph serve, rdflib-endpoint); not needed by the tests.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(STAMP) ## Run the build benchmarks under bench/
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

bench-endpoint: install $(BENCH_STAMP) ## Our endpoint against oxigraph serve and rdflib-endpoint (ARGS=...)
	$(BIN)/python bench/endpoint.py $(ARGS)

bench-scale: install $(BENCH_STAMP) ## Embedded, Oxigraph server and Virtuoso at 1M and 10M triples; kggraph --store against each store (ARGS=...)
	$(BIN)/python bench/scale.py $(ARGS)

soak: install ## Ten minutes of mixed load at 32 clients on kggraph serve, RSS per process (ARGS=--minutes N)
	$(BIN)/python bench/soak.py $(ARGS)

clean: ## Remove the virtual environment, node_modules, build output and caches
	rm -rf $(VENV) node_modules dist .pytest_cache .mypy_cache .ruff_cache src/*.egg-info tests/artifacts
