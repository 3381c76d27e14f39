# Every target creates .venv with the pinned install when it is missing or stale.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

export DAGSTER_HOME := $(CURDIR)/.dagster_home
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo run ui ui-live api test lint lint-sql bench validate docs payloads clean system-packages

# The spark extra too: the Spark tests (tests/spark) run in `make test` (Java from system-packages).
$(STAMP): pyproject.toml
	@echo "installing the pinned environment into $(VENV) (once; pip's log in $(VENV)/install.log)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --disable-pip-version-check -e ".[dev,spark]" > $(VENV)/install.log 2>&1 \
		|| { tail -n 40 $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

## Offline: replay server with the bundled real data -> warehouse/borlange.duckdb, then a summary.
demo: $(STAMP)
	@$(BIN)/borlange demo

## The same against the live SMHI and SCB APIs (SMHI_BASE_URL / SCB_BASE_URL override them).
run: $(STAMP)
	$(BIN)/borlange demo --live

## Dagster UI on http://127.0.0.1:3000, offline against the replay server.
ui: $(STAMP)
	$(BIN)/borlange ui

ui-live: $(STAMP)
	$(BIN)/borlange ui --live

## The open-data API over the published serving copy on http://127.0.0.1:$${API_PORT:-8000}/docs.
api: $(STAMP)
	$(BIN)/borlange api

## The lint, then the whole test suite (installs chromium, postgresql and Java 17 first when root
## and missing).
test: $(STAMP) system-packages lint
	$(BIN)/python -m pytest

system-packages:
	@scripts/ensure-system-packages.sh

## Style, as CI checks it: ruff (lint and format) over the Python, SQLFluff over the dbt project
## (pyproject.toml [tool.ruff], [tool.sqlfluff]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/lint_sql.py

## SQLFluff alone, with the dbt templater; `python scripts/lint_sql.py fix` applies its fixes.
lint-sql: $(STAMP)
	$(BIN)/python scripts/lint_sql.py

## Time make demo's materialization stage by stage (see bench/README.md).
bench: $(STAMP)
	$(BIN)/python -m bench.bench_demo
	$(BIN)/python -m bench.bench_trajectory
	$(BIN)/python -m bench.bench_api

validate: $(STAMP)
	$(BIN)/dagster definitions validate -w workspace.yaml

## dbt docs: the data dictionary for BI users (target/index.html).
docs: $(STAMP)
	$(BIN)/borlange dbt docs generate

## Rebuild the bundled replay payloads from ../shared/data.
payloads: $(STAMP)
	$(BIN)/python -m replay.build_smhi_payloads
	$(BIN)/python -m replay.build_scb_payloads
	$(BIN)/python -m replay.build_scb_energy_payloads
	$(BIN)/python -m replay.build_energy_reports
	$(BIN)/python -m replay.build_carbon_intensity_payloads
	$(BIN)/python -m replay.build_meter_payloads
	$(BIN)/python -m replay.build_sinks_payloads
	$(BIN)/python -m replay.build_nowcast_payloads
	$(BIN)/python -m replay.build_consumption_payloads
	$(BIN)/python -m replay.build_cement_seed
	$(BIN)/python tests/fixtures/make_kk_fixture.py

clean:
	rm -rf warehouse dbt_project/target dbt_project/logs
