# kggraph — the two commands of the README are `make run` and `make test`; `make help` lists all.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help install run build validate readme test lint typecheck pytest bench clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install kggraph with its development tools

run: $(STAMP) ## Build, validate and publish the graph into dist/ (the main job)
	$(BIN)/kggraph build

build: run ## Same as run

validate: $(STAMP) ## Validate the graph against the shapes, write nothing
	$(BIN)/kggraph validate

readme: run ## Build, then rewrite the README's "What is in the graph" block
	$(BIN)/kggraph summary --readme README.md

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP) ## mypy --strict on src/
	$(BIN)/mypy

pytest: $(STAMP) ## The test suite only
	$(BIN)/pytest

test: lint typecheck pytest ## Install, then lint, type-check and run every test

bench: $(STAMP) ## Run the benchmarks under bench/
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean: ## Remove the virtual environment, build output and caches
	rm -rf $(VENV) dist .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
