"""Every setting, read from the environment once (`Settings.from_env()` in the definitions loader
and the CLIs) and handed on from there: to Dagster as resources (pipelines/resources.py) and to dbt
as vars (pipelines/lib/dbt.py). One pydantic model per concern; a field's alias is its environment
variable (docs/operators.md says what each does), and its one default is here.

Every field is typed and bounded (pipelines/typed_env.py): a number that is not finite or out of its
range, a name outside its set, or a source URL in clear text stops `from_env` with one SettingsError
naming each variable at fault (the `borlange` commands print it on one line and exit 2). So a
tolerance or settling time of `nan`, against which every comparison is false, switches nothing off.
"""

import csv
import os
import re
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pydantic

from pipelines import typed_env as te
from pipelines.typed_env import Flag, ResolvedPath, Rule, Section, env, finite, one_of, whole
from pipelines.typed_env import SettingsError as SettingsError
from sources import http
from sources.kolada import KOLADA_BASE_URL_DEFAULT
from sources.scb import SCB_BASE_URL_DEFAULT
from sources.smhi import SMHI_BASE_URL_DEFAULT

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
SEI_HOUSEHOLDS_DEFAULT = (
    REPO_ROOT / "replay/payloads/consumption/Klimatkollen_data for 2023_shared April 2026.xlsx"
)
SCHEDULE_TIMEZONE = "Europe/Stockholm"
DUCKDB_POOL = "duckdb_warehouse"  # every writer of the warehouse file runs in this pool, limit 1
PARTITIONING_TAG = "partitioning"  # partitioned assets run in jobs of their own

DBT_TARGETS = ("duckdb", "postgres")  # the outputs of dbt_project/profiles.yml ...
# ... and the meter models' Spark targets (METER_ENGINE=spark): a local Spark, or Spark Connect.
SPARK_TARGETS = ("spark", "spark_connect")
EXECUTORS = ("in_process", "multiprocess")  # pipelines/definitions.py maps them to Dagster's
YEARS = (1900, 2100)  # a year outside these is a typo
STORAGE_VERSION = re.compile(r"v\d{1,3}\.\d{1,3}\.\d{1,3}|latest")  # DuckDB's storage_version
GRID_ZONES = ("SE1", "SE2", "SE3", "SE4", "SE")  # the bidding zones and Sweden (Electricity Maps)
# libpq's sslmode values; for a host that is not loopback only verify-full is accepted: it checks
# the server's certificate against PGSSLROOTCERT and its name against PGHOST.
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
REMOTE_SSLMODE, LOOPBACK_SSLMODE = "verify-full", "prefer"
PGHOST_DEFAULT = "127.0.0.1"  # as in dbt_project/profiles.yml
PG_LOCAL_NAMES = ("localhost", "localhost.", "ip6-localhost", "::1")
FLAG_TRUE = ("1", "true", "yes", "on")
S3_LAKE = re.compile(r"s3://[a-z0-9][a-z0-9.-]{1,62}(/[A-Za-z0-9._/-]*)?")
# The meter feed's pseudonymisation key (HMAC-SHA256 of each GSRN) of the offline demo and the
# tests ONLY: it is public, so ids made with it are not pseudonymous. Live runs need their own.
DEMO_METER_PSEUDONYM_KEY = "borlange-demo-meter-key-PUBLIC-never-use-live"
METER_KEY_MIN_CHARS = 32
MIB = http.MIB
FOLDER_NAME = "a folder name (letters, digits, _ or -)"
FOLDERS_BESIDE_THE_WAREHOUSE = {  # (section, variable): the default folder beside the warehouse
    ("warehouse", "LANDING_DIR"): "landing",
    ("report", "REPORTS_DIR"): "reports",
    ("serving", "SERVING_DIR"): "serving",
    ("serving", "SITE_DIR"): "site",
    ("meters", "METER_LAKE_ROOT"): "meter_lake",
    ("spark", "METER_SPARK_DIR"): "meter_spark",
}


def seed_column(seed: str, column: str) -> tuple[str, ...]:
    """One column of a dbt seed: the one list of sink classes and of trajectory methods."""
    with (SEEDS_DIR / seed).open(newline="", encoding="utf-8") as handle:
        return tuple(row[column] for row in csv.DictReader(handle))


def postgres_host_is_local(host: str | None) -> bool:
    """libpq's PGHOST (maybe a comma-separated list): every host empty (libpq's default socket), a
    unix-socket directory (`/...`, `@...`), 127.x.y.z, ::1 or localhost. dbt_project/profiles.yml
    holds the same rule, word for word, in Jinja; tests/architecture/test_settings.py renders it
    against this."""

    def local(name: str) -> bool:
        name = name.strip().lower()
        octets = name.split(".")
        return (
            name == ""
            or name.startswith(("/", "@"))
            or name in PG_LOCAL_NAMES
            or (len(octets) == 4 and octets[0] == "127" and all(o.isdigit() for o in octets[1:]))
        )

    return all(local(name) for name in (host if host is not None else PGHOST_DEFAULT).split(","))


def postgres_sslmode(host: str | None, explicit: str | None) -> str:
    """PGSSLMODE when set, else verify-full for a host that is not loopback, prefer for one."""
    if explicit:
        return explicit
    return LOOPBACK_SSLMODE if postgres_host_is_local(host) else REMOTE_SSLMODE


def source_url(value: str | None, info: pydantic.ValidationInfo) -> str | None:
    """https://, or http:// to a loopback host, or to any host in replay mode (ALLOW_HTTP_SOURCES,
    as given: its own field names a bad value)."""
    replay = str((info.context or {}).get("ALLOW_HTTP_SOURCES", "")).strip().lower() in FLAG_TRUE
    try:
        return value and http.check_source_url(value, allow_insecure_http=replay)
    except http.InsecureURL as refused:
        raise te.Refused(str(refused)) from None


def lake_root(text: str) -> str:
    text = text.strip()
    if text.startswith("s3://") and S3_LAKE.fullmatch(text):
        return text.rstrip("/")
    if "://" in text:
        raise ValueError("neither a local path nor s3://bucket/prefix")
    return str(Path(text).resolve())


def resolve_parent(path: Path) -> Path:
    """An absolute path whose last part, maybe a symlink, is kept as it is."""
    return path.expanduser().absolute().parent.resolve() / path.name


def https_or_loopback_url(value: str | None) -> str | None:
    """https://, or http:// to a loopback host (a receiver on the same machine): a failed run's
    name and error are not sent in clear text across a network."""
    try:
        return value and http.check_source_url(value)
    except http.InsecureURL:
        raise te.MustBe(
            "an https:// URL with a host (http:// only to a loopback host); its value is not shown"
        ) from None


SourceURL = Annotated[str | None, pydantic.AfterValidator(source_url)]
WebhookURL = Annotated[str | None, pydantic.AfterValidator(https_or_loopback_url)]
LakeRoot = Annotated[str, pydantic.BeforeValidator(str), pydantic.AfterValidator(lake_root)]
Year = whole(*YEARS)


class WarehouseSettings(Section):
    path: ResolvedPath = env("WAREHOUSE_PATH", REPO_ROOT / "warehouse" / "borlange.duckdb")
    landing_dir: ResolvedPath = env("LANDING_DIR")


class DbtSettings(Section):
    target: one_of(DBT_TARGETS) = env("DBT_TARGET", "duckdb")
    # The venv's own dbt, so that it runs without the venv on PATH.
    executable: str = env("DBT_EXECUTABLE", str(Path(sys.executable).with_name("dbt")))
    # One per process that parses: two parses writing one manifest.json could tear it.
    target_dir: ResolvedPath = env("DBT_TARGET_DIR", DBT_PROJECT_DIR / "target")
    memory_limit: te.matching(r"[1-9]\d{0,5}(MB|GB|MiB|GiB)", "a size such as 4GB or 512MB") = env(
        "DBT_DUCKDB_MEMORY_LIMIT", "4GB"
    )


class PostgresSettings(Section):
    """libpq's own variables, read only to choose the sslmode of the pipeline's PostgreSQL
    connections (the raw mirror, the snapshots); dbt's profile applies the same rule."""

    host: str | None = env("PGHOST", max_length=4096)
    sslmode: one_of(SSLMODES) = env("PGSSLMODE", validate_default=True)

    @pydantic.field_validator("sslmode")
    @classmethod
    def verify_full_off_loopback(cls, explicit: str | None, info: pydantic.ValidationInfo) -> str:
        host, sslmode = info.data.get("host"), postgres_sslmode(info.data.get("host"), explicit)
        targets_postgres = (info.context or {}).get("DBT_TARGET", "").strip() == "postgres"
        if targets_postgres and not postgres_host_is_local(host) and sslmode != REMOTE_SSLMODE:
            raise te.MustBe(
                f"{REMOTE_SSLMODE} for the PostgreSQL host {host!r}, which is not loopback, not "
                f"{sslmode!r} (unset, it is {REMOTE_SSLMODE}; give the CA in PGSSLROOTCERT)"
            )
        return sslmode


class SourceSettings(Section):
    allow_http: Flag = env("ALLOW_HTTP_SOURCES", False)  # replay mode, see source_url
    smhi_base_url: SourceURL = env("SMHI_BASE_URL", SMHI_BASE_URL_DEFAULT)
    # SMHI's protocol serving releases no longer current (the nowcast backtest's raw table only):
    # the replay's archive offline; unset, nothing is asked.
    smhi_archive_base_url: SourceURL = env("SMHI_ARCHIVE_BASE_URL")
    scb_base_url: SourceURL = env("SCB_BASE_URL", SCB_BASE_URL_DEFAULT)
    kolada_base_url: SourceURL = env("KOLADA_BASE_URL", KOLADA_BASE_URL_DEFAULT)
    population_first_year: Year = env("SCB_POPULATION_FIRST_YEAR", 1990)
    http_max_attempts: whole(1, 100) = env("HTTP_MAX_ATTEMPTS", 5)
    http_backoff_base_s: finite(0, 3600) = env("HTTP_BACKOFF_BASE_S", 1.0)
    http_max_body_mb: whole(1, 4096) = env("HTTP_MAX_BODY_MB", http.DEFAULT_MAX_BODY_BYTES // MIB)
    http_deadline_s: finite(1, 86400) = env("HTTP_DEADLINE_S", http.DEFAULT_DEADLINE_S)
    sei_households_path: ResolvedPath = env("SEI_HOUSEHOLDS_PATH", SEI_HOUSEHOLDS_DEFAULT)

    @property
    def http_max_body_bytes(self) -> int:
        return self.http_max_body_mb * MIB


class InboxSettings(Section):
    dir: ResolvedPath = env("INBOX_DIR", REPO_ROOT / "inbox")
    settle_s: finite(0, 86400) = env("INBOX_SETTLE_SECONDS", 10.0)
    grid_zone: one_of(GRID_ZONES) = env("GRID_ZONE", "SE3")


# Borlänge, the programme's kommun: the report's default, the API documentation's example and the
# meter lake's kommun.
DEFAULT_REPORT_KOMMUN = "2081"


class MeterSettings(Section):
    lake_root: Annotated[LakeRoot, Rule("a local path or s3://bucket/prefix")] = env(
        "METER_LAKE_ROOT"
    )
    # The kommun whose meter values this deployment writes: its partitions are the lake's
    # kommun=<code>/ level, beside other cities' in a shared bucket; its marts read only them.
    kommun: te.matching(r"\d{4}", "a four-digit kommun code") = env(
        "METER_KOMMUN", DEFAULT_REPORT_KOMMUN
    )
    lake_s3_endpoint: SourceURL = env("METER_LAKE_S3_ENDPOINT")
    lake_s3_region: te.matching(r"[a-z0-9][a-z0-9-]{0,62}", "an S3 region such as eu-north-1") = (
        env("METER_LAKE_S3_REGION", "eu-north-1")
    )
    pseudonym_key: te.accepted(
        lambda key: len(key) >= METER_KEY_MIN_CHARS,
        f"a secret of at least {METER_KEY_MIN_CHARS} characters (e.g. `openssl rand -hex 32`)",
        secret=True,
    ) = env("METER_PSEUDONYM_KEY", repr=False)
    inbox_folder: te.matching(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", FOLDER_NAME) = env(
        "METER_INBOX_FOLDER", "meters"
    )
    max_file_mb: whole(1, 1024 * 1024) = env("METER_MAX_FILE_MB", 4096)
    min_points: whole(3, 1000) = env("METER_MIN_POINTS", 5)
    # The meter landing zone's real bytes (every landed file, its normalised rows, scratch): a file
    # that would take it past this is quarantined before it is copied.
    landing_max_gb: finite(0.001, 1024 * 1024) = env("METER_LANDING_MAX_GB", 500.0)
    # A crash leftover (a partial copy, a half-written normalised file, scratch) is swept at the
    # next run once it is this old and no live run holds it.
    leftover_min_age_s: finite(0, 7 * 86400) = env("METER_LEFTOVER_MIN_AGE_S", 3600.0)

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * MIB

    @property
    def landing_max_bytes(self) -> int:
        return int(self.landing_max_gb * 1024 * MIB)


METER_ENGINES = ("duckdb", "spark")  # who builds the meter marts (pipelines/lib/meter_spark.py)
# A Spark Connect URL: sc://host[:port][/;param=value;...] (token, use_ssl, user_id ...).
SPARK_CONNECT_URL = r"sc://[A-Za-z0-9.\-\[\]:]{1,253}(/(;[A-Za-z_]+=[^;\s]*)*)?"


class SparkSettings(Section):
    """The meter marts on Apache Spark (docs/operators.md): dbt-spark's session method builds the
    meter models on `master` (a local Spark in dbt's process), or on the cluster at `remote`
    through Spark Connect; the aggregates come back to the warehouse as Parquet under `dir`."""

    engine: one_of(METER_ENGINES) = env("METER_ENGINE", "duckdb")
    # May carry a token (sc://host:443/;use_ssl=true;token=...): a secret, never shown.
    remote: te.accepted(
        re.compile(SPARK_CONNECT_URL).fullmatch, "a Spark Connect URL, sc://host:port", secret=True
    ) = env("SPARK_REMOTE", repr=False)
    master: te.matching(r"local(\[(\*|[1-9]\d{0,3})\])?", "local, local[N] or local[*]") = env(
        "SPARK_MASTER", "local[*]"
    )
    # Where Spark writes the meter aggregates (and reads the warehouse's inputs): a folder the
    # cluster and the warehouse both reach (docs/operators.md).
    dir: ResolvedPath = env("METER_SPARK_DIR")
    shuffle_partitions: whole(1, 100_000) = env("SPARK_SHUFFLE_PARTITIONS", 16)


class ReportSettings(Section):
    kommun: te.matching(r"\d{4}", "a four-digit kommun code") = env(
        "REPORT_KOMMUN", DEFAULT_REPORT_KOMMUN
    )
    year: Annotated[Year | None, Rule(f"a whole number between {YEARS[0]} and {YEARS[1]}")] = env(
        "REPORT_YEAR"  # unset: the kommun's latest
    )
    dir: ResolvedPath = env("REPORTS_DIR")
    # Klimatkollen's trajectories look forward from the current year.
    trajectory_as_of_year: Year = env(
        "TRAJECTORY_AS_OF_YEAR", default_factory=lambda: date.today().year
    )


class ToleranceSettings(Section):
    energy_balance: finite(0, 1) = env("ENERGY_BALANCE_TOLERANCE", 0.02)
    energy_smhi: finite(0, 10) = env("ENERGY_SMHI_TOLERANCE", 0.25)
    meter_reconciliation: finite(0, 1) = env("METER_RECONCILIATION_TOLERANCE", 0.02)
    consumption_pace_pp: finite(0, 100) = env("CONSUMPTION_PACE_TOLERANCE_PP", 1.0)


class NeutralitySettings(Section):
    """dbt's vars of marts.climate_neutrality_balance; the sets are the seeds'."""

    min_quality: one_of(seed_column("sink_quality_classes.csv", "quality_class")) = env(
        "NEUTRALITY_MIN_QUALITY", "reported"
    )
    min_permanence: one_of(  # the hyphen too, as dbt accepts it
        seed_column("sink_permanence_classes.csv", "permanence"),
        normalise=lambda v: v.strip().replace("100-1000", "100–1000"),
    ) = env("NEUTRALITY_MIN_PERMANENCE", "100–1000 år")
    trend_method: one_of(seed_column("trajectory_methods.csv", "method")) = env(
        "NEUTRALITY_TREND_METHOD", "carbon_law"
    )
    target_year: whole(2000, YEARS[1]) = env("NEUTRALITY_TARGET_YEAR", 2030)


class PlanSettings(Section):
    """The scenario engine (pipelines/defs/plan). The portfolio is a folder of the plan's CSV files
    (replay/payloads/plan/ describes them). By default the bundled SYNTHETIC demo portfolio, flagged
    synthetic in every mart, page and download: a run never depends on where it was started from."""

    portfolio_dir: Annotated[ResolvedPath | None, Rule("a folder of the portfolio's CSV files")] = (
        env("PLAN_PORTFOLIO_DIR", REPO_ROOT / "replay" / "payloads" / "plan")
    )
    # the preset whose trend is business as usual and whose path is the Carbon Law test
    preset: one_of(seed_column("trajectory_methods.csv", "method")) = env(
        "PLAN_PRESET", "carbon_law"
    )
    # ASEK's social discount rate, 3.5 % a year real (economics.py says where from)
    discount_rate: finite(0, 0.2) = env("PLAN_DISCOUNT_RATE", 0.035)
    draws: whole(10, 100_000) = env("PLAN_MONTE_CARLO_DRAWS", 2000)
    seed: whole(0, 2**32 - 1) = env("PLAN_MONTE_CARLO_SEED", 2030)
    goal_year: whole(2000, YEARS[1]) = env("PLAN_GOAL_YEAR", 2030)
    temperature_path: ResolvedPath = env(
        "PLAN_TEMPERATURE_PATH", REPO_ROOT / "replay/payloads/meters/borlange_daily_temperature.csv"
    )


class ServingSettings(Section):
    dir: ResolvedPath = env("SERVING_DIR")
    storage_version: te.matching(STORAGE_VERSION, "a DuckDB version such as v1.0.0, or latest") = (
        env("SERVING_STORAGE_VERSION", "v1.0.0")
    )
    git_revision: te.matching(r"[\w.+/-]{1,100}", "a commit id or tag") = env("GIT_REVISION")
    # A link the site build swaps (pipelines/defs/site/build.py): its last part is not resolved.
    site_dir: Annotated[Path, pydantic.AfterValidator(resolve_parent)] = env("SITE_DIR")


class ApiSettings(Section):
    host: te.matching(r"[A-Za-z0-9.:\-\[\]]{1,253}", "an IP address or a host name") = env(
        "API_HOST", "127.0.0.1"
    )
    port: whole(1, 65535) = env("API_PORT", 8000)
    max_page_size: whole(1, 100_000) = env("API_MAX_PAGE_SIZE", 1000)
    cache_max_age_s: whole(0, 86400) = env("API_CACHE_MAX_AGE_S", 60)
    # Where clients reach the API (behind a proxy): the base of absolute links. Unset, the links
    # are relative; never taken from the request's Host header.
    public_base_url: te.matching(
        r"https?://[A-Za-z0-9.\-\[\]:]{1,253}(/[A-Za-z0-9._~/-]*)?", "an http(s) URL without query"
    ) = env("API_PUBLIC_BASE_URL")
    # Request headers: their size (431 above it) and the time to send them (408 after it).
    max_header_bytes: whole(1024, 1 << 20) = env("API_MAX_HEADER_BYTES", 16384)
    header_timeout_s: finite(0.1, 600) = env("API_HEADER_TIMEOUT_S", 10.0)
    # Answers rendered once per build and kept (pipelines/api/render_cache.py).
    render_cache_mb: whole(1, 16384) = env("API_RENDER_CACHE_MB", 256)

    @pydantic.field_validator("public_base_url")
    @classmethod
    def without_trailing_slash(cls, url: str | None) -> str | None:
        return url.rstrip("/") if url else url


class AlertSettings(Section):
    """Where a failed run is announced besides the log (pipelines/defs/operations/assets.py). The
    URL of a chat webhook holds its token, so it is a secret: never shown in errors or the UI."""

    webhook_url: WebhookURL = env("ALERT_WEBHOOK_URL", repr=False)
    webhook_timeout_s: finite(0.5, 60) = env("ALERT_WEBHOOK_TIMEOUT_S", 5.0)


class Settings(Section):
    """Every setting, by concern; problems are named in the order of the sections."""

    warehouse: WarehouseSettings
    dbt: DbtSettings
    postgres: PostgresSettings
    sources: SourceSettings
    inboxes: InboxSettings
    meters: MeterSettings
    spark: SparkSettings
    report: ReportSettings
    tolerances: ToleranceSettings
    neutrality: NeutralitySettings
    plan: PlanSettings
    serving: ServingSettings
    api: ApiSettings
    alerts: AlertSettings
    # in_process: the writers share one DuckDB file and run one at a time anyway, so a process per
    # step would only add start-up time. multiprocess: for the PostgreSQL target.
    executor: one_of(EXECUTORS) = env("DAGSTER_EXECUTOR", "in_process")

    @pydantic.model_validator(mode="before")
    @classmethod
    def folders_beside_the_warehouse(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("warehouse"), dict):
            warehouse = data["warehouse"].get("WAREHOUSE_PATH")
            beside = Path(warehouse or WarehouseSettings.model_fields["path"].default).resolve()
            for (section, variable), folder in FOLDERS_BESIDE_THE_WAREHOUSE.items():
                data[section].setdefault(variable, beside.parent / folder)
        return data

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """From os.environ (or `environ`); every problem at once as one SettingsError."""
        return te.read(cls, os.environ if environ is None else environ)

    def updated(self, **sections: Mapping[str, Any]) -> "Settings":
        """A copy with fields of some sections changed (trusted values: not validated again),
        e.g. `settings.updated(inboxes={"settle_s": 0.0})`."""
        changed = {s: getattr(self, s).model_copy(update=c) for s, c in sections.items()}
        return self.model_copy(update=changed)
