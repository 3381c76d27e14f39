"""Settings are range-checked where they are read: every value outside its range or set stops
`Settings.from_env` with a SettingsError naming the variable (a tolerance of `nan` cannot turn a
check off), the defaults are unchanged, the `borlange` command turns the error into exit code 2
and one line, and the PostgreSQL sslmode rule is the same in Python and in dbt's profile."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from operator import attrgetter

import pytest
import yaml

from pipelines import cli
from pipelines.settings import (
    DBT_PROJECT_DIR,
    DBT_TARGETS,
    EXECUTORS,
    REPO_ROOT,
    SPARK_TARGETS,
    Settings,
    SettingsError,
    postgres_host_is_local,
    postgres_sslmode,
)


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    return info.value.problems


def test_the_defaults_are_unchanged():
    s = Settings.from_env({})
    assert (
        s.dbt.target,
        s.sources.population_first_year,
        s.sources.http_max_attempts,
        s.sources.http_backoff_base_s,
    ) == (
        "duckdb",
        1990,
        5,
        1.0,
    )
    assert (s.serving.storage_version, s.report.kommun, s.executor, s.report.year) == (
        "v1.0.0",
        "2081",
        "in_process",
        None,
    )
    assert (
        s.tolerances.energy_balance,
        s.tolerances.energy_smhi,
        s.tolerances.consumption_pace_pp,
    ) == (0.02, 0.25, 1.0)
    assert (
        s.neutrality.min_quality,
        s.neutrality.min_permanence,
        s.neutrality.trend_method,
        s.neutrality.target_year,
    ) == ("reported", "100–1000 år", "carbon_law", 2030)
    assert s.report.trajectory_as_of_year == date.today().year
    assert s.sources.smhi_base_url == "https://nationellaemissionsdatabasen.smhi.se"
    assert s.sources.scb_base_url == "https://statistikdatabasen.scb.se/api/v2"
    # the new ones
    assert (s.sources.http_max_body_bytes, s.sources.http_deadline_s, s.sources.allow_http) == (
        64 * 1024 * 1024,
        600.0,
        False,
    )
    assert s.postgres.sslmode == "prefer"  # PGHOST unset: 127.0.0.1


def test_empty_values_mean_unset_as_before():
    assert Settings.from_env(
        {"HTTP_MAX_ATTEMPTS": "", "ENERGY_BALANCE_TOLERANCE": "", "DBT_TARGET": ""}
    ) == Settings.from_env({})


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "-0.01", "1.5", "two percent"])
def test_a_tolerance_of_nan_or_out_of_range_is_refused(value):
    assert problems({"ENERGY_BALANCE_TOLERANCE": value}) == [
        f"ENERGY_BALANCE_TOLERANCE must be a finite number between 0 and 1, not {value!r}"
    ]


@pytest.mark.parametrize(
    "variable, value, expected",
    [
        (
            "ENERGY_SMHI_TOLERANCE",
            "nan",
            "ENERGY_SMHI_TOLERANCE must be a finite number between 0 and 10, not 'nan'",
        ),
        (
            "CONSUMPTION_PACE_TOLERANCE_PP",
            "-1",
            "CONSUMPTION_PACE_TOLERANCE_PP must be a finite number between 0 and 100, not '-1'",
        ),
        (
            "HTTP_MAX_ATTEMPTS",
            "0",
            "HTTP_MAX_ATTEMPTS must be a whole number between 1 and 100, not '0'",
        ),
        (
            "HTTP_MAX_ATTEMPTS",
            "2.5",
            "HTTP_MAX_ATTEMPTS must be a whole number between 1 and 100, not '2.5'",
        ),
        (
            "HTTP_BACKOFF_BASE_S",
            "inf",
            "HTTP_BACKOFF_BASE_S must be a finite number between 0 and 3600, not 'inf'",
        ),
        (
            "HTTP_DEADLINE_S",
            "0",
            "HTTP_DEADLINE_S must be a finite number between 1 and 86400, not '0'",
        ),
        (
            "HTTP_MAX_BODY_MB",
            "0",
            "HTTP_MAX_BODY_MB must be a whole number between 1 and 4096, not '0'",
        ),
        (
            "SCB_POPULATION_FIRST_YEAR",
            "199",
            "SCB_POPULATION_FIRST_YEAR must be a whole number between 1900 and 2100, not '199'",
        ),
        (
            "TRAJECTORY_AS_OF_YEAR",
            "20266",
            "TRAJECTORY_AS_OF_YEAR must be a whole number between 1900 and 2100, not '20266'",
        ),
        (
            "REPORT_YEAR",
            "last",
            "REPORT_YEAR must be a whole number between 1900 and 2100, not 'last'",
        ),
        (
            "NEUTRALITY_TARGET_YEAR",
            "1999",
            "NEUTRALITY_TARGET_YEAR must be a whole number between 2000 and 2100, not '1999'",
        ),
        (
            "DAGSTER_EXECUTOR",
            "k8s",
            "DAGSTER_EXECUTOR must be one of 'in_process', 'multiprocess', not 'k8s'",
        ),
        (
            "DBT_TARGET",
            "snowflake",
            "DBT_TARGET must be one of 'duckdb', 'postgres', not 'snowflake'",
        ),
        (
            "NEUTRALITY_MIN_QUALITY",
            "good",
            "NEUTRALITY_MIN_QUALITY must be one of 'measured', 'reported', 'modelled', "
            "'downscaled', not 'good'",
        ),
        (
            "NEUTRALITY_MIN_PERMANENCE",
            "forever",
            "NEUTRALITY_MIN_PERMANENCE must be one of 'över 1000 år', '100–1000 år', "
            "'under 100 år', not 'forever'",
        ),
        (
            "SERVING_STORAGE_VERSION",
            "v1.0.0' (drop",
            "SERVING_STORAGE_VERSION must be a DuckDB version such as v1.0.0, "
            'or latest, not "v1.0.0\' (drop"',
        ),
        (
            "REPORT_KOMMUN",
            "Borlänge",
            "REPORT_KOMMUN must be a four-digit kommun code, not 'Borlänge'",
        ),
        (
            "DBT_DUCKDB_MEMORY_LIMIT",
            "4GB'; drop",
            'DBT_DUCKDB_MEMORY_LIMIT must be a size such as 4GB or 512MB, not "4GB\'; drop"',
        ),
        (
            "DBT_DUCKDB_MEMORY_LIMIT",
            "0GB",
            "DBT_DUCKDB_MEMORY_LIMIT must be a size such as 4GB or 512MB, not '0GB'",
        ),
        (
            "ALLOW_HTTP_SOURCES",
            "maybe",
            "ALLOW_HTTP_SOURCES must be 1 or 0 (true or false), not 'maybe'",
        ),
        (
            "INBOX_SETTLE_SECONDS",
            "nan",
            "INBOX_SETTLE_SECONDS must be a finite number between 0 and 86400, not 'nan'",
        ),
        (
            "INBOX_SETTLE_SECONDS",
            "abc",
            "INBOX_SETTLE_SECONDS must be a finite number between 0 and 86400, not 'abc'",
        ),
        (
            "INBOX_SETTLE_SECONDS",
            "-1",
            "INBOX_SETTLE_SECONDS must be a finite number between 0 and 86400, not '-1'",
        ),
        (
            "METER_LAKE_S3_REGION",
            "eu north 1",
            "METER_LAKE_S3_REGION must be an S3 region such as eu-north-1, not 'eu north 1'",
        ),
        (
            "METER_LAKE_ROOT",
            "ftp://lake",
            "METER_LAKE_ROOT must be a local path or s3://bucket/prefix, not 'ftp://lake'",
        ),
        (
            "GRID_ZONE",
            "SE5",
            "GRID_ZONE must be one of 'SE1', 'SE2', 'SE3', 'SE4', 'SE', not 'SE5'",
        ),
        (
            "PGSSLMODE",
            "strict",
            "PGSSLMODE must be one of 'disable', 'allow', 'prefer', 'require', 'verify-ca', "
            "'verify-full', not 'strict'",
        ),
    ],
)
def test_each_setting_is_checked_and_named(variable, value, expected):
    assert problems({variable: value}) == [expected]


def test_the_trend_method_must_be_a_preset_of_the_seed():
    [problem] = problems({"NEUTRALITY_TREND_METHOD": "carbon-law"})
    assert problem.startswith(
        "NEUTRALITY_TREND_METHOD must be one of 'carbon_law', "
    ) and problem.endswith("not 'carbon-law'")


def test_every_problem_is_reported_at_once():
    found = problems(
        {"ENERGY_BALANCE_TOLERANCE": "nan", "HTTP_MAX_ATTEMPTS": "0", "DBT_TARGET": "x"}
    )
    assert [p.split(" ")[0] for p in found] == [
        "DBT_TARGET",
        "HTTP_MAX_ATTEMPTS",
        "ENERGY_BALANCE_TOLERANCE",
    ]


@pytest.mark.parametrize(
    "env, attribute, value",
    [
        ({"ENERGY_BALANCE_TOLERANCE": "0"}, "tolerances.energy_balance", 0.0),
        ({"ENERGY_BALANCE_TOLERANCE": " 1 "}, "tolerances.energy_balance", 1.0),
        ({"HTTP_MAX_ATTEMPTS": "1"}, "sources.http_max_attempts", 1),
        ({"HTTP_BACKOFF_BASE_S": "0"}, "sources.http_backoff_base_s", 0.0),
        ({"HTTP_MAX_BODY_MB": "8"}, "sources.http_max_body_bytes", 8 * 1024 * 1024),
        ({"HTTP_DEADLINE_S": "90.5"}, "sources.http_deadline_s", 90.5),
        (
            {"NEUTRALITY_MIN_PERMANENCE": "100-1000 år"},
            "neutrality.min_permanence",
            "100-1000 år",
        ),  # the hyphen, as dbt accepts
        ({"NEUTRALITY_MIN_QUALITY": "measured"}, "neutrality.min_quality", "measured"),
        (
            {"NEUTRALITY_TREND_METHOD": "borlange_local"},
            "neutrality.trend_method",
            "borlange_local",
        ),
        ({"SERVING_STORAGE_VERSION": "latest"}, "serving.storage_version", "latest"),
        ({"SERVING_STORAGE_VERSION": "v1.2.0"}, "serving.storage_version", "v1.2.0"),
        ({"DAGSTER_EXECUTOR": "multiprocess"}, "executor", "multiprocess"),
        ({"REPORT_YEAR": "2024"}, "report.year", 2024),
        ({"DBT_DUCKDB_MEMORY_LIMIT": "512MB"}, "dbt.memory_limit", "512MB"),
        ({"ALLOW_HTTP_SOURCES": "yes"}, "sources.allow_http", True),
        ({"ALLOW_HTTP_SOURCES": "0"}, "sources.allow_http", False),
    ],
)
def test_values_inside_their_ranges_are_taken(env, attribute, value):
    assert attrgetter(attribute)(Settings.from_env(env)) == value


def test_the_sets_are_the_ones_the_code_uses():
    from pipelines.definitions import EXECUTORS as DAGSTER_EXECUTORS

    assert set(EXECUTORS) == set(DAGSTER_EXECUTORS)
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    assert set(DBT_TARGETS) | set(SPARK_TARGETS) == set(profiles["borlange_warehouse"]["outputs"])


# ---------------------------------------------------------------- the command line


def test_borlange_exits_2_with_one_line_on_a_bad_setting(monkeypatch, capsys):
    monkeypatch.setenv("ENERGY_BALANCE_TOLERANCE", "nan")
    assert cli.main(["dbt", "debug"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "borlange: invalid settings: ENERGY_BALANCE_TOLERANCE must be a finite number between 0 "
        "and 1, not 'nan'\n"
    )


def test_a_secret_is_named_never_shown():
    assert problems({"METER_PSEUDONYM_KEY": "too-short-to-be-secret"}) == [
        "METER_PSEUDONYM_KEY must be a secret of at least 32 characters "
        "(e.g. `openssl rand -hex 32`); its value is not shown"
    ]
    key = "k" * 40
    assert key not in repr(Settings.from_env({"METER_PSEUDONYM_KEY": key}))


@pytest.mark.parametrize("value", ["nan", "abc", "-1"])
def test_borlange_demo_refuses_a_settling_time_it_cannot_use(value):
    """`INBOX_SETTLE_SECONDS=nan` once made every inbox wait for ever (now - mtime >= nan is
    always false); now the demo does not start."""
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "demo"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "INBOX_SETTLE_SECONDS": value},
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "borlange: invalid settings: INBOX_SETTLE_SECONDS must be a finite number between 0 and "
        f"86400, not {value!r}"
    ]


def test_every_subcommand_names_every_bad_variable(monkeypatch, capsys):
    monkeypatch.setenv("INBOX_SETTLE_SECONDS", "nan")
    monkeypatch.setenv("METER_LAKE_S3_REGION", "EU")
    argv = ["partners", "template", "--partner", "ssab", "--year", "2025", "--out", "unused"]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == (
        "borlange: invalid settings: INBOX_SETTLE_SECONDS must be a finite number between 0 and "
        "86400, not 'nan'; METER_LAKE_S3_REGION must be an S3 region such as eu-north-1, not 'EU'\n"
    )


def test_borlange_in_a_process_prints_no_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "mirror"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HTTP_MAX_ATTEMPTS": "zero"},
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "borlange: invalid settings: HTTP_MAX_ATTEMPTS must be a whole number between 1 and 100, "
        "not 'zero'"
    ]
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------- PostgreSQL's sslmode

HOSTS = {  # PGHOST -> local (prefer) or not (verify-full)
    None: True,
    "": True,
    "127.0.0.1": True,
    "127.4.5.6": True,
    "localhost": True,
    "LOCALHOST": True,
    "::1": True,
    "/var/run/postgresql": True,
    "@abstract": True,
    "127.0.0.1,localhost": True,
    "db.example.org": False,
    "10.0.0.5": False,
    "127.evil.example": False,
    "127.0.0.1,db.example.org": False,
    "localhost.example.org": False,
    "::ffff:10.0.0.5": False,
}


@pytest.mark.parametrize("host, local", HOSTS.items())
def test_sslmode_is_verify_full_unless_the_host_is_loopback(host, local):
    assert postgres_host_is_local(host) is local
    assert postgres_sslmode(host, None) == ("prefer" if local else "verify-full")
    assert postgres_sslmode(host, "disable") == "disable"  # PGSSLMODE, when set, is what it says
    env = {"DBT_TARGET": "postgres", **({"PGHOST": host} if host is not None else {})}
    assert Settings.from_env(env).postgres.sslmode == ("prefer" if local else "verify-full")


def test_a_weaker_sslmode_for_a_remote_host_is_refused():
    env = {"DBT_TARGET": "postgres", "PGHOST": "db.example.org"}
    for weak in ("disable", "allow", "prefer", "require", "verify-ca"):
        assert problems({**env, "PGSSLMODE": weak}) == [
            "PGSSLMODE must be verify-full for the PostgreSQL host 'db.example.org', which is "
            f"not loopback, not {weak!r} (unset, it is verify-full; give the CA in PGSSLROOTCERT)"
        ]
    assert Settings.from_env({**env, "PGSSLMODE": "verify-full"}).postgres.sslmode == "verify-full"
    assert (
        Settings.from_env(
            {"PGHOST": "127.0.0.1", "PGSSLMODE": "disable", "DBT_TARGET": "postgres"}
        ).postgres.sslmode
        == "disable"
    )
    # Only the PostgreSQL target is held to it: a DuckDB run does not connect.
    assert (
        Settings.from_env({"PGHOST": "db.example.org", "PGSSLMODE": "disable"}).postgres.sslmode
        == "disable"
    )


RENDER = """
import json, sys
from argparse import Namespace
from dbt.config.profile import Profile, read_profile
from dbt.config.renderer import ProfileRenderer
from dbt.flags import set_from_args
from dbt_common.context import set_invocation_context

set_from_args(Namespace(), {})
raw = read_profile(sys.argv[1])
rendered = []
for env, dbt_vars in json.loads(sys.argv[2]):
    set_invocation_context(env)
    credentials = Profile.from_raw_profiles(raw, "borlange_warehouse", ProfileRenderer(dbt_vars),
                                            target_override="postgres").credentials
    rendered.append([credentials.sslmode, credentials.schema])
print(json.dumps(rendered))
"""


def render_postgres_output(envs: list[dict[str, str]]) -> list[list[str]]:
    """dbt's own rendering of profiles.yml's postgres output under each env, with the vars the
    pipeline passes for the settings of that env: [sslmode, schema]."""
    from pipelines.lib.dbt import dbt_vars

    pairs = [(env, dbt_vars(Settings.from_env(env))) for env in envs]
    done = subprocess.run(
        [sys.executable, "-c", RENDER, str(DBT_PROJECT_DIR), json.dumps(pairs)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def test_dbt_profile_applies_the_same_sslmode_rule_and_a_dedicated_schema():
    envs = [{} if host is None else {"PGHOST": host} for host in HOSTS]
    envs.append({"PGHOST": "db.example.org", "PGSSLMODE": "verify-full", "PGSCHEMA": "warehouse"})
    *rendered, explicit = render_postgres_output(envs)
    assert rendered == [[postgres_sslmode(host, None), "borlange"] for host in HOSTS]
    assert [mode for mode, _ in rendered] == [
        "prefer" if local else "verify-full" for local in HOSTS.values()
    ]
    assert explicit == ["verify-full", "warehouse"]
