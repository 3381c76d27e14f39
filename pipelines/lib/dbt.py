"""What dbt is told on every invocation, built from Settings by pure functions (no Dagster).

dbt reads no setting of ours from the environment: the warehouse path, the reporting kommun, the
neutrality settings and the PostgreSQL sslmode travel as `--vars` (profiles.yml and the macros read
them with `var()`). The same Settings give the same vars, so dbt's partial parse survives between
invocations.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pipelines.settings import DBT_PROJECT_DIR, Settings


def dbt_vars(settings: Settings) -> dict[str, object]:
    return {
        "warehouse_path": str(settings.warehouse.path),
        "report_kommun": settings.report.kommun,
        "neutrality_min_quality": settings.neutrality.min_quality,
        "neutrality_min_permanence": settings.neutrality.min_permanence,
        "neutrality_trend_method": settings.neutrality.trend_method,
        "neutrality_target_year": settings.neutrality.target_year,
        "postgres_sslmode": settings.postgres.sslmode,
        # The meter lake (a local path; an s3:// lake leaves the meter models empty) and its
        # small-cell limit.
        "meter_lake_root": settings.meters.lake_root,
        "meter_kommun": settings.meters.kommun,
        "meter_min_points": settings.meters.min_points,
        # Who builds the meter marts, and the spark target's folder and session (meter_spark.py).
        "meter_engine": settings.spark.engine,
        "meter_spark_dir": str(settings.spark.dir),
        "spark_master": settings.spark.master,
        "spark_shuffle_partitions": settings.spark.shuffle_partitions,
        "grid_zone": settings.inboxes.grid_zone,
        "duckdb_memory_limit": settings.dbt.memory_limit,
    }


def vars_argument(settings: Settings) -> list[str]:
    """`--vars` with keys sorted, so identical settings give an identical command line."""
    return ["--vars", json.dumps(dbt_vars(settings), ensure_ascii=False, sort_keys=True)]


def dbt_command(settings: Settings, command: Sequence[str]) -> list[str]:
    """A whole dbt command line for the project, e.g. `dbt_command(s, ["docs", "generate"])`."""
    return [
        settings.dbt.executable,
        *command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        settings.dbt.target,
        "--target-path",
        str(settings.dbt.target_dir),
        *vars_argument(settings),
    ]
