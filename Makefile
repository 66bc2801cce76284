# parkstad-analysis — `make help` lists the targets.
# On a fresh machine: `make report` builds everything, `make test` runs the tests.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements.lock
export MPLBACKEND := Agg
LAB_IP   ?= 127.0.0.1
LAB_PORT ?= 8888

.DEFAULT_GOAL := help
.PHONY: help install lock data report test test-fast nbval-update lint lab clean-data benchmark

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

# The exact versions the tests and stored outputs were made with come from $(LOCK) (hashes checked):
# pip brings uv (its own locked, hashed entry), uv installs the rest in parallel and the package as editable.
# The notebooks' kernel is installed into the environment (--sys-prefix), not the user's Jupyter folders:
# nbval, papermill and a JupyterLab started from $(VENV) find `parkstad-analysis` on any machine.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	sed -n '/^uv==/,/# via/p' $(LOCK) > $(VENV)/uv-requirement.txt
	$(BIN)/python -m pip install --disable-pip-version-check --no-deps --require-hashes -r $(VENV)/uv-requirement.txt
	$(BIN)/uv pip sync --python $(BIN)/python --require-hashes $(LOCK)
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name parkstad-analysis --display-name parkstad-analysis
	touch $(STAMP)

install: $(STAMP) ## create .venv with the locked versions, the package (editable) and its Jupyter kernel

lock: $(STAMP) ## refresh requirements.lock to the newest versions pyproject.toml allows (then make nbval-update)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --fork-strategy fewest --python-version 3.11 \
		--generate-hashes --upgrade --custom-compile-command "make lock" --quiet -o $(LOCK)
	@echo "$(LOCK) refreshed: pin the same versions in environment.yml (tests/test_environment.py checks it)."

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
	@echo "JupyterLab starts on http://$(LAB_IP):$(LAB_PORT)/lab - open the URL with the token printed below."
	@echo "The notebooks open on the kernel 'parkstad-analysis' (this .venv). In a container: make lab LAB_IP=0.0.0.0"
	$(BIN)/jupyter lab notebooks/ --ip=$(LAB_IP) --port=$(LAB_PORT) --no-browser $(if $(filter 0,$(shell id -u)),--allow-root,)

benchmark: data ## time report builds (1 and 2 jobs, unchanged run) and peak memory
	$(BIN)/python benchmarks/report_build.py

clean-data: ## remove data/processed (data/raw is kept: it is write-once)
	rm -rf data/processed/*
