# Skating analysis: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Report parameters (empty = the notebooks' own defaults), e.g. make report AS_OF=2026-02-14 TIME_STYLE=nl
AS_OF ?=
TIME_STYLE ?=
RACE ?=
SKATER ?=
# Folder of the official PDF result sheets for make data (default: ../shared/sources/isu-sheets, else data/raw/isu)
ISU_SHEETS ?=

.DEFAULT_GOAL := help
.PHONY: help report test unit lint data backtest notebooks lab benchmark clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required, found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test,lab]"
	@touch $(STAMP)

report: $(STAMP)  ## Write the HTML pages to reports/, rebuilding what changed (RACE=id, SKATER=name: only that page)
	$(BIN)/python -m analysis.report $(if $(AS_OF),--as-of $(AS_OF)) $(if $(TIME_STYLE),--time-style $(TIME_STYLE)) $(if $(RACE),--race $(RACE)) $(if $(SKATER),--skater "$(SKATER)")

test: lint  ## Lint, then every test: unit tests, report build, strict nbval over notebooks/
	$(BIN)/python -m pytest -n auto --dist loadfile

# make unit: pyproject's options without the nbval plugin (loading it costs each worker a second), and without the
# report module and tests (they start kernels).
UNIT_OPTS := -p no:nbval -p no:anyio -p no:platformdirs -p no:hypothesispytest \
	-o addopts="-ra --strict-markers --doctest-modules -p no:cacheprovider" \
	--ignore=tests/test_report.py --ignore=analysis/report.py

# Tests are shared out one by one (worksteal): no notebook or report build has to stay in one worker, and the
# 263 race-story tests would otherwise all run in one.
unit: $(STAMP)  ## The tests that start no kernel (no report build, no nbval)
	$(BIN)/python -m pytest -n auto --dist worksteal $(UNIT_OPTS) analysis tests

lint: $(STAMP)  ## ruff: lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

data: $(STAMP)  ## Rebuild data/ from the sources (ISU_SHEETS=DIR: the PDF sheets' folder) and the curated rows
	$(BIN)/python -m analysis.build $(if $(ISU_SHEETS),--sheets $(ISU_SHEETS))
	$(BIN)/python -m analysis.coverage --write

backtest: $(STAMP)  ## Recompute the stored backtest (data/derived/) if code or data changed since it was computed
	$(BIN)/python -m analysis.backtest --store

notebooks: $(STAMP)  ## Re-execute the source notebooks in place (after changing data or code)
	$(BIN)/python -m analysis.report --refresh-notebooks

lab: $(STAMP)  ## Start JupyterLab on the project with the project's environment
	$(BIN)/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root)

benchmark: $(STAMP)  ## Measure report build vs its floor, tests, simulation, backtest, make data (README table)
	$(BIN)/python benchmarks/run.py --write-readme

clean:  ## Remove reports/, the sheet cache and the virtual environment
	rm -rf reports .cache $(VENV)
