"""A tiny meter lake for the Spark tests (tests/meters/test_meters_spark.py): two months of both
media written by the demo's sample writer (replay/meter_sample.py) through the feed and the lake
writer, a correction of one month, and a month of a few electricity points whose cells are all
small. SYNTHETIC values; deterministic."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.defs.meters import loads, partitions
from pipelines.lib.meter_lake import Lake
from pipelines.lib.warehouse import Store
from pipelines.settings import DEMO_METER_PSEUDONYM_KEY
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


def meter_settings(root: Path, lake: Lake, **environ: str):
    """Settings of a warehouse under root beside the lake, with a dbt target folder of their own."""
    from pipelines.settings import Settings

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


def run_dbt(settings, *command: str) -> str:
    import subprocess

    from pipelines.lib.dbt import dbt_command

    done = subprocess.run(
        dbt_command(settings, list(command)), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return done.stdout


def prepare_inputs(settings) -> None:
    """The warehouse's inputs of the meter marts: the two seeds, and an hourly carbon intensity
    for the first month's hours but its last day, so that some hours have no factor."""
    import duckdb

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


MODELS = (
    "path:models/staging/meters",
    "path:models/intermediate/meters",
    "path:models/marts/meters",
)
