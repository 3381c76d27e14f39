"""The house rules, read from the code: plain Python has no Dagster, settings are read once,
dbt owns the marts, replay stands apart, and every imported package is declared."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PIPELINES = REPO / "pipelines"

# Plain Python: the clients and parsers, the load framework, and each domain's own computing.
PLAIN = sorted(
    [
        *REPO.glob("sources/**/*.py"),
        *PIPELINES.glob("lib/*.py"),
        PIPELINES / "settings.py",
        *(
            p
            for p in PIPELINES.glob("defs/*/*.py")
            if p.name not in ("assets.py", "consumption_assets.py")
        ),
        *PIPELINES.glob("trajectory/*.py"),
        *PIPELINES.glob("submissions/*.py"),
    ]
)
# Where the environment may be read: the one settings module and the entry points that start a process.
READS_ENVIRONMENT = {
    PIPELINES / "settings.py",
    PIPELINES / "definitions.py",
    PIPELINES / "cli.py",
    PIPELINES / "demo.py",
    PIPELINES / "ui.py",
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


def test_every_domain_folder_exposes_its_definitions():
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
        source = (PIPELINES / "defs" / name / "assets.py").read_text(encoding="utf-8")
        assert "def definitions(settings: Settings) -> dg.Definitions" in source, name


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
