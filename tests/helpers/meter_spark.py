"""A tiny meter lake for the Spark tests (tests/meters/test_meters_spark.py): two months of both
media written by the demo's sample writer (replay/meter_sample.py) through the feed and the lake
writer, a correction of one month, and a month of a few electricity points whose cells are all
small. SYNTHETIC values; deterministic."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyspark

from pipelines.defs.meters import loads, partitions
from pipelines.lib import meter_spark
from pipelines.lib.dbt import dbt_command
from pipelines.lib.meter_lake import Lake
from pipelines.lib.warehouse import Store
from pipelines.settings import DEMO_METER_PSEUDONYM_KEY, Settings
from replay.meter_sample import write_sample
from tests.helpers.meter_files import points, rows, write_csv

FIRST, SECOND = date(2024, 1, 1), date(2024, 2, 1)
SAMPLE_POINTS = 60  # electricity points of a sample month (district heating: its minimum, 24)
SMALL_POINTS = 4  # the second month's electricity: every cell below METER_MIN_POINTS (5)


def _drop(store: Store, lake: Lake, inbox: Path, written: list[tuple[str, date]]) -> None:
    report = loads.process_drop(inbox.parent, store, pseudonym_key=DEMO_METER_PSEUDONYM_KEY)
    assert not report.rejected, report.rejected
    for medium, month in written:
        partitions.write_partition(store, lake, medium, month)


def build_small_lake(root: Path) -> tuple[Store, Lake]:
    """The lake under root/lake, the feed's warehouse and landing zone beside it."""
    store = Store(root / "warehouse" / "borlange.duckdb", root / "warehouse" / "landing")
    store.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    lake = Lake(str(root / "lake"))
    inbox = root / "inbox" / loads.INBOX_FOLDER
    inbox.mkdir(parents=True)
    write_sample(inbox, points=SAMPLE_POINTS, month=f"{FIRST:%Y-%m}", seed=14)
    write_sample(
        inbox, points=SAMPLE_POINTS, month=f"{SECOND:%Y-%m}", seed=14, media=("fjarrvarme",)
    )
    write_csv(inbox / "el_small.csv", rows(SECOND, points("el", SMALL_POINTS)))
    _drop(store, lake, inbox, [(m, d) for m in loads.MEDIA for d in (FIRST, SECOND)])
    # A correction: the first month's electricity again from another seed replaces the partition.
    write_sample(inbox, points=SAMPLE_POINTS, month=f"{FIRST:%Y-%m}", seed=15, media=("el",))
    _drop(store, lake, inbox, [("el", FIRST)])
    return store, lake


def meter_settings(root: Path, lake: Lake, **environ: str) -> Settings:
    """Settings of a warehouse under root beside the lake, with a dbt target folder of their own."""
    return Settings.from_env(
        {
            "WAREHOUSE_PATH": str(root / "warehouse" / "borlange.duckdb"),
            "METER_LAKE_ROOT": lake.root,
            "METER_PSEUDONYM_KEY": DEMO_METER_PSEUDONYM_KEY,
            "DBT_TARGET_DIR": str(root / "dbt_target"),
            "METER_SPARK_DIR": str(root / "meter_spark"),
            "SPARK_MASTER": "local[2]",
            "SPARK_SHUFFLE_PARTITIONS": "2",
            **environ,
        }
    )


def run_dbt(settings: Settings, *command: str) -> str:
    done = subprocess.run(
        dbt_command(settings, list(command)), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return done.stdout


def prepare_inputs(settings: Settings) -> None:
    """The warehouse's inputs of the meter marts: the two seeds, and an hourly carbon intensity
    for the first month's hours but its last day, so that some hours have no factor."""
    run_dbt(settings, "seed", "--select", "fuel_emission_factors", "meter_customer_categories")
    with duckdb.connect(str(settings.warehouse.path)) as con:
        con.execute("create schema if not exists intermediate")
        con.execute("""
            create or replace table intermediate.int_grid__hourly_carbon_intensity as
            select 'SE3' as zone, hour_utc,
                   10.0 + (hour(hour_utc) % 7) / 3.0 as direct_gco2_per_kwh,
                   30.0 + (hour(hour_utc) * 13 % 17) / 7.0 as lifecycle_gco2_per_kwh,
                   hour(hour_utc) % 5 = 0 as is_estimated, date '2024-03-01' as vintage,
                   'electricity_maps' as source_id
            from range(timestamp '2023-12-31 23:00', timestamp '2024-01-30 23:00',
                       interval 1 hour) t(hour_utc)""")


# Spark tuned for a lake of kilobytes (the test's, through SPARK_CONF_DIR): a JVM that compiles
# less, no generated code per query and no adaptive re-planning halve the build on two cores.
SMALL_DATA_DEFAULTS = """\
spark.driver.extraJavaOptions -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
spark.sql.codegen.wholeStage false
spark.sql.adaptive.enabled false
"""


def small_data_conf(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spark-defaults.conf").write_text(SMALL_DATA_DEFAULTS, encoding="utf-8")
    return folder


@dataclass(frozen=True)
class SparkMeterBuilds:
    """The small lake's meter models built twice: by DuckDB (METER_ENGINE=duckdb) into one
    warehouse, and by a local Spark into another that loads Spark's tables (METER_ENGINE=spark)."""

    root: Path
    lake: Lake
    store: Store
    duckdb_warehouse: Path
    spark_warehouse: Path
    spark: Settings
    spark_log: str


def build_on_both_engines(root: Path) -> SparkMeterBuilds:
    store, lake = build_small_lake(root)
    on_duckdb = meter_settings(root, lake)
    prepare_inputs(on_duckdb)
    spark_warehouse = root / "spark_warehouse" / "borlange.duckdb"
    spark_warehouse.parent.mkdir()
    shutil.copyfile(on_duckdb.warehouse.path, spark_warehouse)  # the same inputs, no meter model
    run_dbt(on_duckdb, "run", "--select", *meter_spark.SELECTION)
    on_spark = meter_settings(root, lake, METER_ENGINE="spark", WAREHOUSE_PATH=str(spark_warehouse))
    build = meter_spark.spark_build(on_spark)
    with duckdb.connect(str(spark_warehouse), read_only=True) as con:
        meter_spark.export_inputs(con, build)
    log = meter_spark.run(build)
    # The warehouse's meter models load Spark's tables, with their contracts and data tests.
    run_dbt(on_spark, "build", "--select", *meter_spark.SELECTION)
    return SparkMeterBuilds(
        root, lake, store, on_duckdb.warehouse.path, spark_warehouse, on_spark, log
    )


def unused_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def connect_server(folder: Path, port: int, timeout_s: float = 180.0) -> Iterator[str]:
    """A Spark Connect server on loopback from pyspark's own sbin/start-connect-server.sh (in the
    foreground, so that this process owns it), local[2]; yields its sc:// URL and stops it."""
    spark_home = Path(pyspark.__file__).parent
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        "SPARK_HOME": str(spark_home),
        "SPARK_CONF_DIR": str(small_data_conf(folder / "conf")),
        "SPARK_LOG_DIR": str(folder / "logs"),
        "SPARK_PID_DIR": str(folder),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    server = subprocess.Popen(
        [
            str(spark_home / "sbin" / "start-connect-server.sh"),
            "--wait",
            "--master",
            "local[2]",
            "--conf",
            f"spark.connect.grpc.binding.port={port}",
            "--conf",
            "spark.connect.grpc.binding.address=127.0.0.1",
            "--conf",
            "spark.sql.catalogImplementation=in-memory",
            "--conf",
            f"spark.sql.warehouse.dir={folder / 'spark-warehouse'}",
            "--conf",
            "spark.ui.enabled=false",
        ],
        env=env,
        stdout=(folder / "server.out").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            assert server.poll() is None, (folder / "server.out").read_text(errors="replace")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert time.monotonic() < deadline, "the Spark Connect server did not listen"
            time.sleep(1)
        yield f"sc://127.0.0.1:{port}"
    finally:
        stop_group(server)


def stop_group(leader: subprocess.Popen, timeout_s: float = 30.0) -> None:
    """Stop the process group `leader` started (the script and the JVM it left running)."""
    os.killpg(leader.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        leader.poll()
        try:
            os.killpg(leader.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    os.killpg(leader.pid, signal.SIGKILL)
    leader.wait()
