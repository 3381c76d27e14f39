"""The house rules, read from the code: plain Python has no Dagster, settings are read once,
dbt owns the marts, replay stands apart, every imported package is declared, the domains need no
contract of ours to be found, and each raw table dbt reads has one declared DDL."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers import REPO

PIPELINES = REPO / "pipelines"

# Plain Python: the clients and parsers, the load framework, and each domain's own computing.
PLAIN = sorted(
    [
        *REPO.glob("sources/**/*.py"),
        *PIPELINES.glob("lib/*.py"),
        PIPELINES / "settings.py",
        PIPELINES / "typed_env.py",
        PIPELINES / "defs" / "__init__.py",
        *(
            p
            for p in PIPELINES.glob("defs/*/*.py")
            if p.name not in ("assets.py", "consumption_assets.py")
        ),
    ]
)
# Where the environment may be read: the one settings module and the entry points that start a
# process.
READS_ENVIRONMENT = {
    PIPELINES / "settings.py",
    PIPELINES / "definitions.py",
    PIPELINES / "cli.py",
    PIPELINES / "demo.py",
    PIPELINES / "ui.py",
    PIPELINES / "dbt_bound.py",  # dbt's wrapper, told the real dbt by the process starting it
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (REPO / folder).rglob("*.py"))


def test_plain_python_never_imports_dagster():
    assert len(PLAIN) > 40
    offenders = {
        str(p.relative_to(REPO)): sorted(
            m for m in imported_modules(p) if m.split(".")[0].startswith("dagster")
        )
        for p in PLAIN
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_domain_or_library_module_reads_the_environment():
    pattern = re.compile(r"Settings\.from_env\(|os\.environ|os\.getenv|getenv\(")
    offenders = [
        str(p.relative_to(REPO))
        for p in python_files("pipelines")
        if p not in READS_ENVIRONMENT and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_python_module_writes_the_marts_schema():
    pattern = re.compile(
        r"(create (or replace )?(table|view|schema)|insert into|delete from|update|drop table)"
        r"[^\"'\n]{0,30}marts\b",
        re.IGNORECASE,
    )
    offenders = [
        str(p.relative_to(REPO))
        for p in python_files("pipelines", "sources", "replay")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_replay_stands_apart_from_the_pipeline():
    offenders = {
        str(p.relative_to(REPO))
        for p in python_files("replay")
        if any(m.split(".")[0] == "pipelines" for m in imported_modules(p))
    }
    assert offenders == set()


# Import name -> distribution name, where the two differ.
DISTRIBUTIONS = {"yaml": "pyyaml", "psycopg2": "psycopg2-binary", "dagster_dbt": "dagster-dbt"}


def test_every_imported_package_is_declared():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        re.split(r"[<>=!~\[ ]", d)[0].lower()
        for d in [
            *project["dependencies"],
            *(d for ds in project["optional-dependencies"].values() for d in ds),
        ]
    }
    local = {"pipelines", "sources", "replay", "tests", "bench", "payloads"}
    third_party = (
        {
            m.split(".")[0]
            for p in python_files("pipelines", "sources", "replay", "bench", "tests")
            for m in imported_modules(p)
        }
        - set(sys.stdlib_module_names)
        - local
    )
    missing = {
        m for m in third_party if DISTRIBUTIONS.get(m, m).replace("_", "-").lower() not in declared
    }
    assert missing == set()


def test_dagster_finds_the_domains_without_a_contract_of_ours():
    """Each domain keeps its Dagster objects in assets.py, which dg.load_from_defs_folder finds;
    no domain implements a loader function for us, and no asset, check or sensor is handed the
    whole Settings (they ask for resources)."""
    from pipelines.defs import domain_names

    names = domain_names()
    assert {
        "emissions",
        "energy",
        "partners",
        "sinks",
        "consumption",
        "trajectory",
        "transform",
        "publish",
        "report",
    } <= set(names)
    for name in names:
        folder = PIPELINES / "defs" / name
        assert (folder / "assets.py").is_file(), name
        for path in folder.glob("*.py"):
            source = path.read_text(encoding="utf-8")
            assert "def definitions(" not in source, path
            assert "ResourceParam[Settings]" not in source, path
            assert "duckdb.connect" not in source, path


def dbt_sources() -> dict[tuple[str, str], str]:
    """(source, table) -> schema of every table in dbt_project/models/staging/**/_*sources.yml."""
    import yaml

    found = {}
    for path in sorted((REPO / "dbt_project" / "models" / "staging").rglob("_*sources.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            for table in source["tables"]:
                name = table.get("identifier", table["name"])
                found[(source["name"], name)] = source.get("schema", source["name"])
    return found


def test_every_dbt_source_table_has_exactly_one_declared_ddl():
    """A raw table is declared by the domain that writes it (pipelines/defs/<domain>/raw_tables.py),
    once; the other kinds of source are not DDL: the trajectory and nowcast schemas, which their
    assets write from their frames, and the meter lake's Parquet and Spark's meter tables
    (METER_ENGINE=spark), which the models read directly."""
    import importlib

    from pipelines.defs import raw_table_modules
    from pipelines.lib.warehouse import LANDED_FILES, declared_raw_tables

    declared = [LANDED_FILES.name]
    for module in raw_table_modules():
        declared += [table.name for table in importlib.import_module(module).RAW_TABLES]
    sources = dbt_sources()
    assert len(sources) > 20
    for (source, table), schema in sources.items():
        if schema == "raw":
            assert declared.count(table) == 1, f"raw.{table} (dbt source {source})"
        else:
            frames = {("trajectory", "trajectory"), ("nowcast", "nowcast"), ("plan", "plan")}
            frames |= {("meters", "meters"), ("meter_spark", "meter_spark")}
            assert (schema, source) in frames, table
    internal = {"landed_files", "meter_feed_files"}  # the load framework's and the meter feed's
    read_by_dbt = {table for (_, table), schema in sources.items() if schema == "raw"}
    assert set(declared) == read_by_dbt | internal
    assert sorted(declared) == sorted(t.name for t in declared_raw_tables())


def test_dbt_user_file_is_not_tracked():
    tracked = subprocess.run(
        ["git", "ls-files", "dbt_project/.user.yml"], cwd=REPO, capture_output=True, text=True
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert tracked.stdout.strip() == ""


def test_the_reporting_kommun_has_one_home():
    """'2081' is a value of the REPORT_KOMMUN setting, never a constant in the code."""
    offenders = [
        str(p.relative_to(REPO))
        for p in python_files("pipelines")
        if p != PIPELINES / "settings.py"
        and re.search(r"[\"']2081[\"']", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# Folders of tests that are not a domain of pipelines/defs: the house itself, the API, the source
# clients, the demo end to end, what all file feeds share, PostgreSQL as the engine, the Dagster UI.
TEST_FOLDERS_BESIDE_DOMAINS = {"architecture", "api", "sources", "demo", "feeds", "postgres", "ui"}


def modules_of_the_suite():
    return sorted(
        p
        for p in (REPO / "tests").rglob("*.py")
        if not {"fixtures", "vendor"} & set(p.relative_to(REPO / "tests").parts)
    )


def test_tests_mirror_the_code():
    """tests/<domain>/ for each domain of pipelines/defs, beside tests/architecture/ and the few
    folders above; shared helpers only in tests/helpers/, fixtures only in tests/conftest.py."""
    domains = {p.name for p in PIPELINES.joinpath("defs").iterdir() if (p / "__init__.py").exists()}
    allowed = domains | TEST_FOLDERS_BESIDE_DOMAINS
    misplaced = []
    for path in modules_of_the_suite():
        parts = path.relative_to(REPO / "tests").parts
        if parts == ("conftest.py",) or parts[0] == "helpers":
            continue
        if len(parts) != 2 or parts[0] not in allowed or not parts[1].startswith("test_"):
            misplaced.append("/".join(parts))
    assert misplaced == []


def test_no_test_helper_is_defined_twice():
    """A helper function (not a test, not a fixture) has one definition across the test suite."""
    import ast

    homes: dict[str, list[str]] = {}
    for path in modules_of_the_suite():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
            if node.name.startswith("test_") or fixture:
                continue
            homes.setdefault(node.name, []).append(str(path.relative_to(REPO)))
    assert {name: files for name, files in homes.items() if len(files) > 1} == {}
