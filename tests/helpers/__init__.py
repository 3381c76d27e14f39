"""What more than one test module needs: the repository's folders, and small helpers over a
warehouse `Store` and a feed's problems. Fixtures are in tests/conftest.py; builders of meter
files, a throwaway PostgreSQL server and a serving-copy reader are the modules beside this one."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import duckdb

from pipelines.lib import warehouse
from pipelines.lib.warehouse import Store

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
ENERGY_FIXTURES = FIXTURES / "energy"
SUBMISSION_FIXTURES = FIXTURES / "submissions"
PAYLOADS = REPO / "replay" / "payloads"
SEEDS = REPO / "dbt_project" / "seeds"
SHARED_HOURLY = REPO.parent / "shared" / "data" / "hourly"


def energy_fixture_maker() -> ModuleType:
    """tests/fixtures/energy/make_fixtures.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "energy_make_fixtures", ENERGY_FIXTURES / "make_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def only_problem(feed, code: str):
    """The one problem of a validated feed, asserting that it is the only one and has `code`."""
    assert [p.code for p in feed.problems] == [code], [
        (p.code, p.row, p.column, p.message) for p in feed.problems
    ]
    return feed.problems[0]


def fingerprint(store: Store) -> dict:
    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        return warehouse.fingerprint(con)


def query(store: Store, sql: str, params=()):
    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()
