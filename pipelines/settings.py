"""Every setting, read from the environment once (`Settings.from_env()` in the definitions loader
and the CLIs) and injected from there: into assets, sensors and checks as the `settings`
resource, and into dbt as vars (pipelines/lib/dbt.py). Each setting has its one default here.

Every value is checked where it is read: a number that is not finite or out of its range, a name
outside its set, or a source URL in clear text stops `from_env` with a `SettingsError` that names
each variable at fault (the `borlange` commands print it on one line and exit 2). So a tolerance of
`nan`, against which every comparison is false, cannot switch a check off.
"""

from __future__ import annotations

import csv
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sources.http import (
    DEFAULT_DEADLINE_S,
    DEFAULT_MAX_BODY_BYTES,
    MIB,
    InsecureURL,
    check_source_url,
)
from sources.kolada import KOLADA_BASE_URL_DEFAULT
from sources.scb import SCB_BASE_URL_DEFAULT
from sources.smhi import SMHI_BASE_URL_DEFAULT

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
SEI_HOUSEHOLDS_DEFAULT = (
    REPO_ROOT
    / "replay"
    / "payloads"
    / "consumption"
    / "Klimatkollen_data for 2023_shared April 2026.xlsx"
)
SCHEDULE_TIMEZONE = "Europe/Stockholm"
DUCKDB_POOL = "duckdb_warehouse"  # every writer of the warehouse file runs in this pool, limit 1
PARTITIONING_TAG = "partitioning"  # on partitioned assets, which run in their own jobs (warehouse_refresh leaves them out)

DBT_TARGETS = ("duckdb", "postgres")  # the outputs of dbt_project/profiles.yml
EXECUTORS = ("in_process", "multiprocess")  # pipelines/definitions.py maps them to Dagster's
YEARS = (1900, 2100)  # a year outside these is a typo
# DuckDB's `storage_version` option: a release ("v1.0.0") or "latest".
STORAGE_VERSION = re.compile(r"v\d{1,3}\.\d{1,3}\.\d{1,3}|latest")
KOMMUN_KOD = re.compile(r"\d{4}")
MEMORY_SIZE = re.compile(r"[1-9]\d{0,5}(MB|GB|MiB|GiB)")
# Sweden's bidding zones (elområden) and the whole country, as Electricity Maps names them (SE-SE3, SE).
GRID_ZONES = ("SE1", "SE2", "SE3", "SE4", "SE")
API_HOST = re.compile(r"[A-Za-z0-9.:\-\[\]]{1,253}")
# libpq's sslmode values; for a host that is not loopback only verify-full is accepted: it checks
# the server's certificate against PGSSLROOTCERT and its name against PGHOST.
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
REMOTE_SSLMODE = "verify-full"
LOOPBACK_SSLMODE = "prefer"
PGHOST_DEFAULT = "127.0.0.1"  # as in dbt_project/profiles.yml
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# The meter feed's pseudonymisation key (HMAC-SHA256 of each GSRN) of the offline demo and the tests
# ONLY: it is public, so ids made with it are not pseudonymous. A live run needs METER_PSEUDONYM_KEY.
DEMO_METER_PSEUDONYM_KEY = "borlange-demo-meter-key-PUBLIC-never-use-live"
METER_KEY_MIN_CHARS = 32


def _resolve_parent(path: Path) -> Path:
    """An absolute path whose last part, maybe a symlink, is kept as it is."""
    return path.expanduser().absolute().parent.resolve() / path.name


class SettingsError(ValueError):
    """Settings that cannot be used; `problems` names each variable and what it must be."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid settings: " + "; ".join(problems))
        self.problems = problems


def seed_column(seed: str, column: str) -> tuple[str, ...]:
    """The values of one column of a dbt seed: the one list of sink classes and trajectory methods."""
    with (SEEDS_DIR / seed).open(newline="", encoding="utf-8") as handle:
        return tuple(row[column] for row in csv.DictReader(handle))


PG_LOCAL_NAMES = ("localhost", "localhost.", "ip6-localhost", "::1")


def postgres_host_is_local(host: str | None) -> bool:
    """libpq's PGHOST (maybe a comma-separated list): every host empty (libpq's default socket), a
    unix-socket directory (`/...`, `@...`), 127.x.y.z, ::1 or localhost. dbt_project/profiles.yml
    holds the same rule, word for word, in Jinja; tests/test_settings.py renders it against this."""

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
    """The sslmode of every PostgreSQL connection: PGSSLMODE when set, else verify-full for a host
    that is not loopback and prefer for one that is."""
    if explicit:
        return explicit
    return LOOPBACK_SSLMODE if postgres_host_is_local(host) else REMOTE_SSLMODE


class _Value(str):
    """A variable's text that remembers the variable's name, for the error message."""

    name: str


class _Env(Mapping):
    """The environment, read as before (with `get`), each value carrying its name so the
    checks below can name the variable at fault; they note every problem, not only the first."""

    def __init__(self, env: Mapping[str, str]):
        self._env = env
        self.problems: list[str] = []

    def __getitem__(self, name: str) -> _Value:
        value = _Value(self._env[name])
        value.name = name
        return value

    def __iter__(self):
        return iter(self._env)

    def __len__(self) -> int:
        return len(self._env)

    def get(self, name: str, default=None):
        return self[name] if name in self._env else default

    def problem(self, message: str) -> None:
        self.problems.append(message)

    @staticmethod
    def _set(value: str | None) -> bool:
        return value is not None and value.strip() != ""  # empty means unset, as before

    def integer(self, value: _Value | None, default: int, low: int, high: int) -> int:
        if not self._set(value):
            return default
        try:
            number = int(value.strip())
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            self.problem(
                f"{value.name} must be a whole number between {low} and {high}, not {str(value)!r}"
            )
            return default
        return number

    def number(self, value: _Value | None, default: float, low: float, high: float) -> float:
        if not self._set(value):
            return default
        try:
            number = float(value.strip())
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and low <= number <= high):  # nan and inf fail here
            self.problem(
                f"{value.name} must be a finite number between {low:g} and {high:g}, not {str(value)!r}"
            )
            return default
        return number

    def choice(
        self, value: _Value | None, default: str, choices: Iterable[str], normalise=lambda v: v
    ) -> str:
        if not self._set(value):
            return default
        choices = tuple(choices)
        if normalise(value.strip()) not in choices:
            self.problem(
                f"{value.name} must be one of {', '.join(repr(c) for c in choices)}, not {str(value)!r}"
            )
            return default
        return str(value)

    def pattern(self, value: _Value | None, default: str, pattern: re.Pattern, what: str) -> str:
        if not self._set(value):
            return default
        if not pattern.fullmatch(value):
            self.problem(f"{value.name} must be {what}, not {str(value)!r}")
            return default
        return str(value)

    def flag(self, value: _Value | None) -> bool:
        if not self._set(value):
            return False
        if value.strip().lower() in TRUE:
            return True
        if value.strip().lower() not in FALSE:
            self.problem(f"{value.name} must be 1 or 0 (true or false), not {str(value)!r}")
        return False

    def source_url(self, value: _Value | None, default: str, *, allow_http: bool) -> str:
        if not self._set(value):
            return default
        try:
            return check_source_url(str(value), allow_insecure_http=allow_http)
        except InsecureURL as refused:
            self.problem(f"{value.name}: {refused}")
            return default


@dataclass(frozen=True)
class Settings:
    warehouse_path: Path
    landing_dir: Path
    smhi_base_url: str
    scb_base_url: str
    kolada_base_url: str
    dbt_target: str
    dbt_executable: str
    dbt_target_dir: Path
    population_first_year: int
    http_max_attempts: int
    http_backoff_base_s: float
    trajectory_as_of_year: int
    reports_dir: Path
    inbox_dir: Path
    serving_dir: Path
    serving_storage_version: str
    report_kommun: str
    executor: str
    report_year: int | None
    neutrality_min_quality: str
    neutrality_min_permanence: str
    neutrality_trend_method: str
    neutrality_target_year: int
    sei_households_path: Path
    consumption_pace_tolerance_pp: float
    git_revision: str | None = None
    inbox_settle_s: float = 10.0
    energy_balance_tolerance: float = 0.02
    energy_smhi_tolerance: float = 0.25
    http_max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    http_deadline_s: float = DEFAULT_DEADLINE_S
    allow_http_sources: bool = False
    postgres_sslmode: str = LOOPBACK_SSLMODE
    meter_lake_root: str = str(REPO_ROOT / "warehouse" / "meter_lake")
    meter_lake_s3_endpoint: str | None = None
    meter_lake_s3_region: str = "eu-north-1"
    meter_pseudonym_key: str | None = None
    meter_inbox_folder: str = "meters"
    meter_max_file_bytes: int = 4096 * MIB
    meter_reconciliation_tolerance: float = 0.02
    meter_min_points: int = 5
    grid_zone: str = "SE3"
    dbt_duckdb_memory_limit: str = "4GB"
    site_dir: Path | None = None  # from_env sets it; None: `site/` beside the warehouse file
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_max_page_size: int = 1000
    api_cache_max_age_s: int = 60

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = _Env(os.environ if env is None else env)
        warehouse = Path(
            env.get("WAREHOUSE_PATH") or REPO_ROOT / "warehouse" / "borlange.duckdb"
        ).resolve()
        # Replay mode: the source URLs may be plain http:// on a host that is not loopback (a replay
        # server elsewhere). Loopback http:// (make demo, make ui, the tests) needs no flag.
        allow_http = env.flag(env.get("ALLOW_HTTP_SOURCES"))
        dbt_target = env.choice(env.get("DBT_TARGET"), "duckdb", DBT_TARGETS)
        # libpq's own variables, read here only to choose the sslmode of the pipeline's PostgreSQL
        # connections (the mirror, the snapshots); dbt's profile applies the same rule.
        pg_host = env.get("PGHOST")
        pg_sslmode = env.choice(env.get("PGSSLMODE"), "", SSLMODES) or None
        sslmode = postgres_sslmode(pg_host, pg_sslmode)
        if (
            dbt_target == "postgres"
            and not postgres_host_is_local(pg_host)
            and sslmode != REMOTE_SSLMODE
        ):
            env.problem(
                f"PGSSLMODE must be {REMOTE_SSLMODE} for the PostgreSQL host {str(pg_host)!r}, which is "
                f"not loopback, not {sslmode!r} (unset, it is {REMOTE_SSLMODE}; give the CA in PGSSLROOTCERT)"
            )
        settings = cls(
            warehouse_path=warehouse,
            landing_dir=Path(env.get("LANDING_DIR") or warehouse.parent / "landing").resolve(),
            smhi_base_url=env.source_url(
                env.get("SMHI_BASE_URL"), SMHI_BASE_URL_DEFAULT, allow_http=allow_http
            ),
            scb_base_url=env.source_url(
                env.get("SCB_BASE_URL"), SCB_BASE_URL_DEFAULT, allow_http=allow_http
            ),
            kolada_base_url=env.source_url(
                env.get("KOLADA_BASE_URL"), KOLADA_BASE_URL_DEFAULT, allow_http=allow_http
            ),
            dbt_target=dbt_target,
            # The dbt of this interpreter's venv, so it works without the venv on PATH.
            dbt_executable=str(env.get("DBT_EXECUTABLE") or Path(sys.executable).with_name("dbt")),
            # dbt's manifest and build output; one per process that parses (two parses must not share it).
            dbt_target_dir=Path(env.get("DBT_TARGET_DIR") or DBT_PROJECT_DIR / "target").resolve(),
            population_first_year=env.integer(env.get("SCB_POPULATION_FIRST_YEAR"), 1990, *YEARS),
            http_max_attempts=env.integer(env.get("HTTP_MAX_ATTEMPTS"), 5, 1, 100),
            http_backoff_base_s=env.number(env.get("HTTP_BACKOFF_BASE_S"), 1.0, 0, 3600),
            # Per request, retries included: a body larger than this, or no complete answer by then,
            # fails the request (sources/http.py).
            http_max_body_bytes=MIB
            * env.integer(env.get("HTTP_MAX_BODY_MB"), DEFAULT_MAX_BODY_BYTES // MIB, 1, 4096),
            http_deadline_s=env.number(env.get("HTTP_DEADLINE_S"), DEFAULT_DEADLINE_S, 1, 86400),
            allow_http_sources=allow_http,
            # The year the trajectory methods look forward from (Klimatkollen: the current year).
            trajectory_as_of_year=env.integer(
                env.get("TRAJECTORY_AS_OF_YEAR"), date.today().year, *YEARS
            ),
            reports_dir=Path(env.get("REPORTS_DIR") or warehouse.parent / "reports").resolve(),
            # Partner drops: <inbox>/partners/<partner_id>/<file>.
            inbox_dir=Path(env.get("INBOX_DIR") or REPO_ROOT / "inbox").resolve(),
            # A dropped file counts once it has not changed for this many seconds (a sender still
            # writing it is left alone; the documented way is upload as .name or name.part, then rename).
            inbox_settle_s=float(env.get("INBOX_SETTLE_SECONDS") or 10.0),
            # What BI tools read: a serving copy and Parquet, never the file the pipeline writes.
            serving_dir=Path(env.get("SERVING_DIR") or warehouse.parent / "serving").resolve(),
            serving_storage_version=env.pattern(
                env.get("SERVING_STORAGE_VERSION"),
                "v1.0.0",
                STORAGE_VERSION,
                "a DuckDB version such as v1.0.0, or latest",
            ),
            # The yearly follow-up report: which kommun, and which data year (default: its latest).
            report_kommun=env.pattern(
                env.get("REPORT_KOMMUN"), "2081", KOMMUN_KOD, "a four-digit kommun code"
            ),
            # in_process: every writer shares one DuckDB file and runs one at a time anyway, so a
            # process per step would only add start-up time. multiprocess: for the PostgreSQL target.
            executor=env.choice(env.get("DAGSTER_EXECUTOR"), "in_process", EXECUTORS),
            report_year=env.integer(env.get("REPORT_YEAR"), 0, *YEARS) or None,
            # The commit a published build names; default: `git rev-parse HEAD` of the checkout.
            git_revision=str(env.get("GIT_REVISION")) if env.get("GIT_REVISION") else None,
            # Utility reports: production + purchases must equal deliveries + losses within this share.
            energy_balance_tolerance=env.number(env.get("ENERGY_BALANCE_TOLERANCE"), 0.02, 0, 1),
            # The utility's fossil emissions of heat and power may differ from SMHI's 'El och
            # fjärrvärme' by this share before the check warns.
            energy_smhi_tolerance=env.number(env.get("ENERGY_SMHI_TOLERANCE"), 0.25, 0, 10),
            # The climate-neutrality check (marts.climate_neutrality_balance): the lowest sink quality
            # and permanence that count, the trajectory preset whose trend gives the target year, and
            # that year. dbt gets them as vars (macros/neutrality_config.sql); the sets are the seeds'.
            neutrality_min_quality=env.choice(
                env.get("NEUTRALITY_MIN_QUALITY"),
                "reported",
                seed_column("sink_quality_classes.csv", "quality_class"),
            ),
            neutrality_min_permanence=env.choice(
                env.get("NEUTRALITY_MIN_PERMANENCE"),
                "100–1000 år",
                seed_column("sink_permanence_classes.csv", "permanence"),
                normalise=lambda v: v.replace("100-1000", "100–1000"),
            ),
            neutrality_trend_method=env.choice(
                env.get("NEUTRALITY_TREND_METHOD"),
                "carbon_law",
                seed_column("trajectory_methods.csv", "method"),
            ),
            neutrality_target_year=env.integer(
                env.get("NEUTRALITY_TARGET_YEAR"), 2030, 2000, YEARS[1]
            ),
            # SEI Konsumtionskompassen's household workbook (a file feed); default: the bundled copy.
            sei_households_path=Path(
                env.get("SEI_HOUSEHOLDS_PATH") or SEI_HOUSEHOLDS_DEFAULT
            ).resolve(),
            # How many percentage points per year consumption emissions may fall slower than
            # territorial ones and still count as falling "at a similar pace".
            consumption_pace_tolerance_pp=env.number(
                env.get("CONSUMPTION_PACE_TOLERANCE_PP"), 1.0, 0, 100
            ),
            postgres_sslmode=sslmode,
            # Meter values (pipelines/defs/meters): the Parquet lake (a folder, or s3://bucket/prefix reached
            # through pyarrow with the AWS_* credentials; METER_LAKE_S3_ENDPOINT for an S3-compatible server).
            meter_lake_root=_lake_root(
                env, env.get("METER_LAKE_ROOT"), warehouse.parent / "meter_lake"
            ),
            meter_lake_s3_endpoint=env.source_url(
                env.get("METER_LAKE_S3_ENDPOINT"), "", allow_http=allow_http
            )
            or None,
            meter_lake_s3_region=str(env.get("METER_LAKE_S3_REGION") or "eu-north-1"),
            # The secret key of the GSRN pseudonyms; unset, meter files are not loaded (the demo uses its own).
            meter_pseudonym_key=_meter_key(env, env.get("METER_PSEUDONYM_KEY")),
            meter_inbox_folder=env.pattern(
                env.get("METER_INBOX_FOLDER"),
                "meters",
                FOLDER_NAME,
                "a folder name (letters, digits, _ or -)",
            ),
            meter_max_file_bytes=MIB
            * env.integer(env.get("METER_MAX_FILE_MB"), 4096, 1, 1024 * 1024),
            # A month's metered kWh per category may differ from the monthly report's by this share.
            meter_reconciliation_tolerance=env.number(
                env.get("METER_RECONCILIATION_TOLERANCE"), 0.02, 0, 1
            ),
            # Aggregates of fewer metering points than this are suppressed in the marts.
            meter_min_points=env.integer(env.get("METER_MIN_POINTS"), 5, 3, 1000),
            # The bidding zone whose hourly carbon intensity the grid feed takes (Borlänge: SE3).
            grid_zone=env.choice(env.get("GRID_ZONE"), "SE3", GRID_ZONES),
            # DuckDB's memory for the dbt build; beyond it DuckDB spills to <warehouse>.tmp. Without a limit it
            # takes 80 % of the machine (20 GB for a full year of hourly marts; 4 GB costs them 5 % more time).
            dbt_duckdb_memory_limit=env.pattern(
                env.get("DBT_DUCKDB_MEMORY_LIMIT"),
                "4GB",
                MEMORY_SIZE,
                "a size such as 4GB or 512MB",
            ),
            # The citizens' static site (pipelines/defs/site/), built from the serving copy.
            # The folder itself is a link the build swaps (pipelines/defs/site/build.py): not resolved.
            site_dir=_resolve_parent(Path(env.get("SITE_DIR") or warehouse.parent / "site")),
            # The open-data API (`make api`, pipelines/api): loopback unless the operator says otherwise.
            api_host=env.pattern(
                env.get("API_HOST"), "127.0.0.1", API_HOST, "an IP address or a host name"
            ),
            api_port=env.integer(env.get("API_PORT"), 8000, 1, 65535),
            # The most rows one page of a list endpoint returns (?limit=).
            api_max_page_size=env.integer(env.get("API_MAX_PAGE_SIZE"), 1000, 1, 100_000),
            # Cache-Control max-age of the API's answers; clients revalidate with the ETag after it.
            api_cache_max_age_s=env.integer(env.get("API_CACHE_MAX_AGE_S"), 60, 0, 86400),
        )
        if env.problems:
            raise SettingsError(env.problems)
        return settings


def _lake_root(env: _Env, value: _Value | None, default: Path) -> str:
    if not env._set(value):
        return str(default.resolve())
    text = str(value).strip()
    if text.startswith("s3://"):
        if not re.fullmatch(r"s3://[a-z0-9][a-z0-9.-]{1,62}(/[A-Za-z0-9._/-]*)?", text):
            env.problem(f"{value.name} must be a local path or s3://bucket/prefix, not {text!r}")
        return text.rstrip("/")
    if "://" in text:
        env.problem(f"{value.name} must be a local path or s3://bucket/prefix, not {text!r}")
    return str(Path(text).resolve())


def _meter_key(env: _Env, value: _Value | None) -> str | None:
    if not env._set(value):
        return None
    if len(str(value)) < METER_KEY_MIN_CHARS:
        env.problem(
            f"{value.name} must be a secret of at least {METER_KEY_MIN_CHARS} characters "
            "(e.g. `openssl rand -hex 32`); its value is not shown"
        )
        return None
    return str(value)
