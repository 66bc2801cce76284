# parkstad-analysis — `make help` lists the targets.
# On a fresh machine: `make report` builds everything, `make test` runs the tests.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export MPLBACKEND := Agg
LAB_IP   ?= 127.0.0.1
LAB_PORT ?= 8888

.DEFAULT_GOAL := help
.PHONY: help install data report test test-fast nbval-update lint lab clean-data benchmark

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the package with its dev tools

data: $(STAMP) ## fetch raw data (mirror or CBS) and build data/processed
	$(BIN)/parkstad fetch --quiet
	$(BIN)/parkstad build

report: data ## the main job: data, then the report for every focus area (reports/latest/index.html)
	$(BIN)/parkstad report

test: data ## the whole test suite: ruff, unit tests, and nbval on every notebook (needs the data step)
	$(BIN)/ruff check parkstad_analysis tests $(wildcard notebooks/*.ipynb)
	$(BIN)/python -m parkstad_analysis.reporting.stored_outputs check notebooks/*.ipynb
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env tests notebooks --cov=parkstad_analysis --cov-report=term:skip-covered

test-fast: $(STAMP) ## the tests that need no full build (under a minute): readers, vocabulary, fetch, figures
	$(BIN)/python -m pytest -m "not slow" tests

nbval-update: data ## after an intended change: re-run the notebooks and store their key-figure outputs
	$(BIN)/python -m parkstad_analysis.reporting.stored_outputs update notebooks/*.ipynb

lint: $(STAMP) ## ruff on the package, tests and notebooks
	$(BIN)/ruff check parkstad_analysis tests $(wildcard notebooks/*.ipynb)
	$(BIN)/ruff format --check parkstad_analysis tests

lab: $(STAMP) ## JupyterLab on the notebooks with the project's kernel (works as root, e.g. in a container)
	$(BIN)/python -m ipykernel install --user --name parkstad-analysis --display-name "parkstad-analysis"
	@echo "JupyterLab starts on http://$(LAB_IP):$(LAB_PORT)/lab - open the URL with the token printed below."
	@echo "The notebooks open on the kernel 'parkstad-analysis' (this .venv). In a container: make lab LAB_IP=0.0.0.0"
	$(BIN)/jupyter lab notebooks/ --ip=$(LAB_IP) --port=$(LAB_PORT) --no-browser $(if $(filter 0,$(shell id -u)),--allow-root,)

benchmark: data ## time report builds (1 and 2 jobs, unchanged run) and peak memory
	$(BIN)/python benchmarks/report_build.py

clean-data: ## remove data/processed (data/raw is kept: it is write-once)
	rm -rf data/processed/*
