"""Dagster resources, built once from the settings (`resources_for`), the way dagster's example
projects give their assets a DuckDBResource: an asset, check or sensor names the resources it uses
as parameters, and a test swaps them (`dg.materialize(..., resources={...})`).

- `warehouse`: the DuckDB file the pipeline writes and the landing zone. A load writes through
  `warehouse.loading(*raw_tables)`, which mirrors those tables to PostgreSQL afterwards when that
  is the target; a reader asks `warehouse.connect(reads)` (read-only) or
  `warehouse.working_copy(reads)`, a writer `warehouse.connect(reads, writes)`: the same file on
  DuckDB, a snapshot on PostgreSQL.
- `inboxes`, `meter_lake`: where the file feeds wait, and where meter values go.
- `meter_spark`: the meter marts' build on Apache Spark (METER_ENGINE=spark).
- `report`, `tolerances`, `serving`: the report's scope, the checks' tolerances, the readers' copy.
- `smhi`, `scb`, `kolada`, `sei`: the sources, thin wrappers around the clients in `sources/`;
  `smhi_archive`: SMHI's protocol for releases no longer current (the nowcast's backtest).
- `alerts`: where a failed run is announced besides the log.
The dbt resource is the transform domain's (pipelines/defs/transform/assets.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.lib import alerts, engine, meter_spark
from pipelines.lib.meter_lake import Lake
from pipelines.lib.warehouse import LANDED_FILES, RawTable, Store
from pipelines.settings import Settings
from sources.http import DEFAULT_DEADLINE_S, DEFAULT_MAX_BODY_BYTES, HttpClient, RetryPolicy
from sources.kolada import KoladaClient
from sources.scb import PxWebClient
from sources.smhi import SmhiClient


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file the pipeline writes (WAREHOUSE_PATH) and the landing zone of every file it
    takes in (LANDING_DIR). With `target` postgres (DBT_TARGET) the file is the raw landing store:
    each load's raw tables are mirrored to PostgreSQL, where dbt reads them, and a step that reads
    marts works on a DuckDB snapshot of them (pipelines/lib/engine.py)."""

    path: str
    landing_dir: str
    target: str = "duckdb"
    postgres_sslmode: str = "prefer"

    @property
    def uses_postgres(self) -> bool:
        return self.target == "postgres"

    def store(self) -> Store:
        """Where the plain loaders write (pipelines/lib/warehouse.py)."""
        return Store(Path(self.path), Path(self.landing_dir))

    @contextlib.contextmanager
    def loading(self, *tables: RawTable) -> Iterator[Store]:
        """The store a load writes, in its own transactions; when the load is done, the raw tables
        it wrote (and raw.landed_files) are mirrored to PostgreSQL if that is the target."""
        yield self.store()
        if self.uses_postgres:
            names = [table.name for table in (*tables, LANDED_FILES)]
            engine.mirror_raw(Path(self.path), names, sslmode=self.postgres_sslmode)

    @contextlib.contextmanager
    def working_copy(self, reads: Sequence[str], writes: Sequence[str] = ()) -> Iterator[Path]:
        """A DuckDB file holding `reads` (schema.table or a whole schema) as they are now: the
        warehouse file itself on DuckDB; on PostgreSQL a snapshot, whose `writes` are mirrored
        back on success."""
        sslmode = self.postgres_sslmode if self.uses_postgres else None
        with engine.working_copy(Path(self.path), reads, writes, postgres_sslmode=sslmode) as path:
            yield path

    @contextlib.contextmanager
    def connect(
        self, reads: Sequence[str], writes: Sequence[str] = ()
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the working copy of `reads`: read-only, unless it `writes`."""
        with (
            self.working_copy(reads, writes) as database,
            duckdb.connect(str(database), read_only=not writes) as con,
        ):
            yield con


class InboxResource(dg.ConfigurableResource):
    """The inbox the file feeds wait in (INBOX_DIR), how long a file must rest before it counts
    (INBOX_SETTLE_SECONDS), and the bidding zone the grid feed takes (GRID_ZONE)."""

    dir: str
    settle_s: float = 10.0
    grid_zone: str = "SE3"

    @property
    def path(self) -> Path:
        return Path(self.dir)


class MeterLakeResource(dg.ConfigurableResource):
    """The meter values' Parquet lake (METER_LAKE_ROOT: a folder, or s3://bucket/prefix with
    METER_LAKE_S3_ENDPOINT and _REGION), and the meter feed that fills it: its folder in the inbox,
    its size limit, and the secret key of the GSRN pseudonyms (unset: meter files are not read)."""

    root: str
    kommun: str
    s3_endpoint: str | None = None
    s3_region: str = "eu-north-1"
    inbox_folder: str = "meters"
    max_file_bytes: int
    landing_max_bytes: int
    leftover_min_age_s: float = 3600.0
    pseudonym_key: str | None = None

    def lake(self) -> Lake:
        return Lake(
            self.root, kommun=self.kommun, s3_endpoint=self.s3_endpoint, s3_region=self.s3_region
        )


class MeterSparkResource(dg.ConfigurableResource):
    """The meter marts on Apache Spark (METER_ENGINE=spark, pipelines/lib/meter_spark.py): dbt's
    command line for the spark target and the folder Spark writes its tables to (METER_SPARK_DIR).
    The Spark Connect URL (SPARK_REMOTE, maybe with a token) is not here: dbt inherits it."""

    command: list[str]
    spark_dir: str

    def build(self, warehouse: WarehouseResource) -> dict[str, int]:
        """Export the warehouse's inputs, build the meter models on Spark; the inputs' rows."""
        build = meter_spark.SparkBuild(tuple(self.command), Path(self.spark_dir))
        with warehouse.connect(reads=list(meter_spark.INPUTS.values())) as con:
            inputs = meter_spark.export_inputs(con, build)
        meter_spark.run(build)
        return inputs


class ReportResource(dg.ConfigurableResource):
    """The reporting kommun (REPORT_KOMMUN) and data year (REPORT_YEAR; unset, its latest), where
    reports and charts go (REPORTS_DIR), and the year the trajectories look forward from."""

    kommun: str
    year: int | None = None
    dir: str
    trajectory_as_of_year: int

    @property
    def path(self) -> Path:
        return Path(self.dir)


class TolerancesResource(dg.ConfigurableResource):
    """How far two figures may differ before a check warns, or a utility report is refused."""

    energy_balance: float = 0.02
    energy_smhi: float = 0.25
    meter_reconciliation: float = 0.02
    consumption_pace_pp: float = 1.0


class ServingResource(dg.ConfigurableResource):
    """What readers get, never the file the pipeline writes: the serving copy, Parquet and download
    set (SERVING_DIR), the dbt manifest their data dictionary comes from, and the static site
    (SITE_DIR) built from the serving copy."""

    dir: str
    storage_version: str = "v1.0.0"
    git_revision: str | None = None  # unset: the checkout's
    dbt_manifest: str
    site_dir: str


class HttpSourceResource(dg.ConfigurableResource):
    """Base URL, retry policy and limits of an HTTP source; subclasses build their client on it.
    `allow_insecure_http` is replay mode (ALLOW_HTTP_SOURCES): plain http:// to a host that is not
    loopback; loopback http:// (the replay servers) is always allowed."""

    base_url: str
    read_timeout_s: float = 60.0
    max_attempts: int = 5
    backoff_base_s: float = 1.0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    deadline_s: float = DEFAULT_DEADLINE_S
    allow_insecure_http: bool = False

    def http(self, log=None) -> HttpClient:
        return HttpClient(
            self.base_url,
            timeout=(10.0, self.read_timeout_s),
            retry=RetryPolicy(max_attempts=self.max_attempts, backoff_base_s=self.backoff_base_s),
            log=log,
            max_body_bytes=self.max_body_bytes,
            deadline_s=self.deadline_s,
            allow_insecure_http=self.allow_insecure_http,
        )


class SmhiResource(HttpSourceResource):
    """SMHI Nationella emissionsdatabasen (Excel export API)."""

    read_timeout_s: float = 180.0  # the whole-country export is generated on request

    def client(self, log=None) -> SmhiClient:
        return SmhiClient(self.base_url, http=self.http(log))


class ScbResource(HttpSourceResource):
    """SCB Statistikdatabasen, PxWebApi 2.0. Limits are read from its /config at run time. The
    population is asked from `population_first_year` on (SCB_POPULATION_FIRST_YEAR)."""

    population_first_year: int = 1990

    def client(self, log=None) -> PxWebClient:
        return PxWebClient(self.base_url, http=self.http(log))


class KoladaResource(HttpSourceResource):
    """Kolada v3 (RKA): KPI values per kommun, region and year."""

    def client(self, log=None) -> KoladaClient:
        return KoladaClient(self.base_url, http=self.http(log))


class PlanResource(dg.ConfigurableResource):
    """The scenario engine's inputs and knobs (the PLAN_* settings): the portfolio folder (None:
    business as usual alone), the preset, discount rate, Monte Carlo draws and seed, the goal year
    and Borlänge's daily temperature for the weather correction."""

    portfolio_dir: str | None = None
    preset: str = "carbon_law"
    discount_rate: float = 0.035
    draws: int = 2000
    seed: int = 2030
    goal_year: int = 2030
    temperature_path: str


class SeiResource(dg.ConfigurableResource):
    """SEI Konsumtionskompassen's household workbook, a file (SEI_HOUSEHOLDS_PATH)."""

    path: str


class AlertResource(dg.ConfigurableResource):
    """The webhook a failed run is posted to (ALERT_WEBHOOK_URL; unset: the log line only) and how
    long a post may take (ALERT_WEBHOOK_TIMEOUT_S)."""

    webhook_url: str | None = None
    timeout_s: float = 5.0

    def announce(self, failure: alerts.RunFailure) -> str | None:
        """Post `failure` when a webhook is set; the reason it could not be delivered, or None."""
        if not self.webhook_url:
            return None
        return alerts.post(self.webhook_url, failure, timeout_s=self.timeout_s)


def resources_for(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> dict[str, dg.ConfigurableResource]:
    """Every resource but dbt's, from the settings. A secret that `environ` (the process's
    environment, given by the definitions loader) holds is passed as Dagster's EnvVar, so that the
    UI shows the variable's name, never the value."""

    def secret(variable: str, value: str | None) -> str | dg.EnvVar | None:
        return dg.EnvVar(variable) if value and (environ or {}).get(variable) == value else value

    sources = settings.sources
    http = {
        "max_attempts": sources.http_max_attempts,
        "backoff_base_s": sources.http_backoff_base_s,
        "max_body_bytes": sources.http_max_body_bytes,
        "deadline_s": sources.http_deadline_s,
        "allow_insecure_http": sources.allow_http,
    }
    meters = settings.meters
    return {
        "warehouse": WarehouseResource(
            path=str(settings.warehouse.path),
            landing_dir=str(settings.warehouse.landing_dir),
            target=settings.dbt.target,
            postgres_sslmode=settings.postgres.sslmode,
        ),
        "inboxes": InboxResource(**settings.inboxes.model_dump(mode="json")),
        "meter_lake": MeterLakeResource(
            root=meters.lake_root,
            kommun=meters.kommun,
            s3_endpoint=meters.lake_s3_endpoint,
            s3_region=meters.lake_s3_region,
            inbox_folder=meters.inbox_folder,
            max_file_bytes=meters.max_file_bytes,
            landing_max_bytes=meters.landing_max_bytes,
            leftover_min_age_s=meters.leftover_min_age_s,
            pseudonym_key=secret("METER_PSEUDONYM_KEY", meters.pseudonym_key),
        ),
        "meter_spark": MeterSparkResource(
            command=list(meter_spark.spark_build(settings).command),
            spark_dir=str(settings.spark.dir),
        ),
        "report": ReportResource(**settings.report.model_dump(mode="json")),
        "tolerances": TolerancesResource(**settings.tolerances.model_dump(mode="json")),
        "serving": ServingResource(
            **settings.serving.model_dump(mode="json"),
            dbt_manifest=str(settings.dbt.target_dir / "manifest.json"),
        ),
        "smhi": SmhiResource(base_url=sources.smhi_base_url, **http),
        # An empty base URL: no archive configured (the nowcast's archive asset loads nothing).
        "smhi_archive": SmhiResource(base_url=sources.smhi_archive_base_url or "", **http),
        "scb": ScbResource(
            base_url=sources.scb_base_url,
            population_first_year=sources.population_first_year,
            **http,
        ),
        "kolada": KoladaResource(base_url=sources.kolada_base_url, **http),
        "plan": PlanResource(**settings.plan.model_dump(mode="json")),
        "sei": SeiResource(path=str(sources.sei_households_path)),
        "alerts": AlertResource(
            webhook_url=secret("ALERT_WEBHOOK_URL", settings.alerts.webhook_url),
            timeout_s=settings.alerts.webhook_timeout_s,
        ),
    }
