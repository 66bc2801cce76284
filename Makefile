# parkstad-analysis — `make help` lists the targets.
# On a fresh machine: `make report` builds everything, `make test` runs the tests.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements.lock
# Agg (no windows, no inline plots) for the tests and the benchmark only: a Lab started here shows plots.
HEADLESS := MPLBACKEND=Agg
LAB_IP   ?= 127.0.0.1
LAB_PORT ?= 8888
LAB_DIR  ?= lab

.DEFAULT_GOAL := help
.PHONY: help install lock data report test test-fast nbval-update lint lab clean-data benchmark accessibility

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

# axe-core, the accessibility checker the tests run on the report in Chromium: from npm, at the version and
# integrity hash of tools/axe/package-lock.json (npm ci installs exactly that, or fails).
AXE := tools/axe/node_modules/axe-core/axe.min.js
$(AXE): tools/axe/package.json tools/axe/package-lock.json
	npm ci --prefix tools/axe --no-audit --no-fund --loglevel=error
	touch $(AXE)

lock: $(STAMP) ## refresh requirements.lock to the newest versions pyproject.toml allows (then make nbval-update)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --fork-strategy fewest --python-version 3.11 \
		--generate-hashes --upgrade --custom-compile-command "make lock" --quiet -o $(LOCK)
	@echo "$(LOCK) refreshed: pin the same versions in environment.yml (tests/test_environment.py checks it)."

data: $(STAMP) ## fetch raw data (mirror or CBS) and build data/processed
	$(BIN)/parkstad fetch --quiet
	$(BIN)/parkstad build

report: data ## the main job: data, then the report for every focus area (reports/latest/index.html)
	$(BIN)/parkstad report

test: data $(AXE) ## the whole test suite: ruff, unit tests, and nbval on every notebook (needs the data step)
	$(BIN)/ruff check parkstad_analysis tests $(wildcard notebooks/*.ipynb)
	$(BIN)/python -m parkstad_analysis.reporting.stored_outputs check notebooks/*.ipynb
	$(HEADLESS) $(BIN)/python -m pytest --nbval-lax --nbval-current-env tests notebooks --cov=parkstad_analysis --cov-report=term:skip-covered

test-fast: $(STAMP) ## the tests that need no full build (under a minute): readers, vocabulary, fetch, figures
	$(HEADLESS) $(BIN)/python -m pytest -m "not slow" tests

nbval-update: data ## after an intended change: re-run the notebooks and store their key-figure outputs
	$(HEADLESS) $(BIN)/python -m parkstad_analysis.reporting.stored_outputs update notebooks/*.ipynb

lint: $(STAMP) ## ruff on the package, tests and notebooks
	$(BIN)/ruff check parkstad_analysis tests $(wildcard notebooks/*.ipynb)
	$(BIN)/ruff format --check parkstad_analysis tests

lab: $(STAMP) ## JupyterLab at the project root, opened in lab/: copies of the notebooks to run and change (not committed)
	@mkdir -p $(LAB_DIR)
	@for notebook in notebooks/*.ipynb; do [ -e "$(LAB_DIR)/$${notebook##*/}" ] || cp "$$notebook" "$(LAB_DIR)/"; done
	@echo "JupyterLab starts on http://$(LAB_IP):$(LAB_PORT)/lab - open the URL with the token printed below."
	@echo "It opens in $(LAB_DIR)/: your copies of the notebooks and your own (git ignores them); notebooks/ holds the"
	@echo "committed originals that the tests check. Kernel 'parkstad-analysis' (this .venv). In a container: make lab LAB_IP=0.0.0.0"
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/$(LAB_DIR) --ip=$(LAB_IP) --port=$(LAB_PORT) \
		--no-browser $(if $(filter 0,$(shell id -u)),--allow-root,)

accessibility: $(STAMP) $(AXE) ## axe-core (WCAG 2.1 AA) in Chromium on every page of reports/latest
	$(BIN)/python tools/accessibility.py reports/latest/*.html

benchmark: data ## time report builds (1 and 2 jobs, unchanged run), the atlas, and peak memory
	$(HEADLESS) $(BIN)/python benchmarks/report_build.py
	$(HEADLESS) $(BIN)/python benchmarks/atlas_build.py

clean-data: ## remove data/processed (data/raw is kept: it is write-once)
	rm -rf data/processed/*
