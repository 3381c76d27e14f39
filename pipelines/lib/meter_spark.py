"""The meter marts on Apache Spark (METER_ENGINE=spark; docs/operators.md), plain Python.

dbt builds the meter models (staging, intermediate, the seven marts) on its `spark` target:
dbt-spark's session method runs pyspark in dbt's own process, on a local Spark (SPARK_MASTER) or,
with SPARK_REMOTE=sc://..., on the cluster behind that Spark Connect server. Spark reads the lake
and the two warehouse inputs the emission marts join (exported here as Parquet first) and writes
each model as Parquet under METER_SPARK_DIR/tables/<model>/. The warehouse's meter models of the
same names then load those folders (the dbt source meter_spark), so the relations, contracts, data
tests and everything downstream stay as they are with DuckDB.

Only aggregates leave Spark for the warehouse: the per-point staging views live and die in the
Spark session.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipelines import dbt_bound
from pipelines.lib.dbt import dbt_command
from pipelines.settings import SPARK_TARGETS, Settings

LOCAL_TARGET, CONNECT_TARGET = SPARK_TARGETS  # a local Spark, or the cluster behind SPARK_REMOTE
SELECTION = (
    "path:models/staging/meters",
    "path:models/intermediate/meters",
    "path:models/marts/meters",
)
# The warehouse relations the meter marts join besides the lake: macro meter_input reads them on
# Spark from INPUTS_DIR/<name>/.
INPUTS = {
    "int_grid__hourly_carbon_intensity": "intermediate.int_grid__hourly_carbon_intensity",
    "fuel_emission_factors": "reference.fuel_emission_factors",
}
# The tables Spark writes and the warehouse loads (the dbt source meter_spark).
TABLES = (
    "int_meters__hourly_energy",
    "int_meters__category_hourly",
    "fct_meter_hourly_energy",
    "fct_district_heating_hourly",
    "fct_meter_load_profile",
    "fct_meter_daily_profile",
    "fct_meter_data_quality",
    "fct_electricity_emissions_hourly",
    "fct_electricity_timing_effect_monthly",
)
LOG_TAIL_LINES = 40


class SparkBuildFailed(RuntimeError):
    """dbt's build on Spark failed; the message ends with the tail of its log."""


@dataclass(frozen=True)
class SparkBuild:
    """One build's command line and where it reads and writes. The command carries no secret:
    dbt inherits SPARK_REMOTE (the Spark Connect URL, maybe with a token) from the environment the
    settings were read from, and pyspark reads it there."""

    command: tuple[str, ...]
    spark_dir: Path

    @property
    def inputs_dir(self) -> Path:
        return self.spark_dir / "inputs"

    @property
    def tables_dir(self) -> Path:
        return self.spark_dir / "tables"

    def table_dir(self, name: str) -> Path:
        return self.tables_dir / name


def spark_build(settings: Settings) -> SparkBuild:
    """The build for these settings: dbt `run` of the meter models on a spark target (Spark
    Connect when SPARK_REMOTE is set), in a target folder of its own (its manifest is parsed for
    that target)."""
    target = CONNECT_TARGET if settings.spark.remote else LOCAL_TARGET
    on_spark = settings.updated(
        dbt={"target": target, "target_dir": settings.dbt.target_dir / target}
    )
    command = dbt_command(on_spark, ["run", "--select", *SELECTION])
    return SparkBuild(tuple(command), settings.spark.dir)


def lake_has_values(lake_root: str) -> bool:
    """True once a values partition exists in a local lake (an s3:// lake: trusted to)."""
    if lake_root.startswith("s3://"):
        return True
    return any(Path(lake_root, "values").rglob("*.parquet"))


def export_inputs(con, build: SparkBuild) -> dict[str, int]:
    """The warehouse inputs as Parquet for Spark (a DuckDB connection that reads them); their
    row counts."""
    counts = {}
    for name, relation in INPUTS.items():
        folder = build.inputs_dir / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        target = str(folder / "part-0.parquet").replace("'", "''")
        con.execute(f"copy (select * from {relation}) to '{target}' (format parquet)")
        (counts[name],) = con.execute(f"select count(*) from {relation}").fetchone()
    return counts


def run(build: SparkBuild) -> str:
    """dbt's build on Spark, bound to this process (pipelines/dbt_bound.py); its log. The previous
    tables go first, so a model that fails leaves no stale table for the warehouse to load."""
    shutil.rmtree(build.tables_dir, ignore_errors=True)
    build.tables_dir.mkdir(parents=True)
    executable, *arguments = build.command
    with dbt_bound.bound_environment(executable):
        done = subprocess.run(
            [str(dbt_bound.SCRIPT), *arguments],
            capture_output=True,
            text=True,
            check=False,
        )
    log = done.stdout + done.stderr
    if done.returncode != 0:
        tail = "\n".join(log.splitlines()[-LOG_TAIL_LINES:])
        raise SparkBuildFailed(f"dbt on Spark failed (exit {done.returncode}):\n{tail}")
    missing = [name for name in TABLES if not any(build.table_dir(name).glob("*.parquet"))]
    if missing:
        raise SparkBuildFailed(
            f"dbt on Spark wrote no Parquet for {', '.join(missing)} under {build.tables_dir} "
            "(METER_SPARK_DIR must be a folder both the cluster and the warehouse reach)"
        )
    return log
