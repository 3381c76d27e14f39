"""The code location: `dagster dev -w workspace.yaml` and `dagster definitions validate` load `defs`."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.analysis import TRAJECTORY_ASSETS
from pipelines.automation import JOBS, SCHEDULES
from pipelines.energy import ENERGY_ASSETS, ENERGY_CHECKS, ENERGY_JOBS, ENERGY_SENSORS
from pipelines.consumption import CONSUMPTION_INGESTION_ASSETS
from pipelines.consumption_trajectory import CONSUMPTION_TRAJECTORY_ASSETS
from pipelines.ingestion import INGESTION_ASSETS
from pipelines.partners import partner_inbox_sensor, partner_submissions, partner_submissions_job
from pipelines.report.asset import build_report_asset
from pipelines.serving import build_publish_asset
from pipelines.resources import ScbResource, SmhiResource, WarehouseResource
from pipelines.settings import Settings
from pipelines.sinks import SINKS_ASSETS
from pipelines.transform import build_dbt_assets, dbt_project_for


EXECUTORS = {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}


def executor_for(name: str) -> dg.ExecutorDefinition:
    if name not in EXECUTORS:
        raise ValueError(f"DAGSTER_EXECUTOR={name!r}: expected one of {', '.join(EXECUTORS)}")
    return EXECUTORS[name]


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    settings.export_for_dbt()
    project = dbt_project_for(settings)
    assets = [*INGESTION_ASSETS, *SINKS_ASSETS, *CONSUMPTION_INGESTION_ASSETS, partner_submissions, *ENERGY_ASSETS,
              *build_dbt_assets(project, settings.dbt_executable), *TRAJECTORY_ASSETS, *CONSUMPTION_TRAJECTORY_ASSETS]
    return dg.Definitions(
        assets=[*assets, build_publish_asset(mart_keys(assets)), build_report_asset(mart_keys(assets))],
        asset_checks=[*ENERGY_CHECKS],
        jobs=[*JOBS, partner_submissions_job, *ENERGY_JOBS],
        sensors=[partner_inbox_sensor, *ENERGY_SENSORS],
        schedules=SCHEDULES,
        executor=executor_for(settings.executor),
        resources={
            "smhi": SmhiResource(base_url=settings.smhi_base_url, max_attempts=settings.http_max_attempts,
                                 backoff_base_s=settings.http_backoff_base_s),
            "scb": ScbResource(base_url=settings.scb_base_url, max_attempts=settings.http_max_attempts,
                               backoff_base_s=settings.http_backoff_base_s),
            "warehouse_store": WarehouseResource(path=str(settings.warehouse_path),
                                                 landing_dir=str(settings.landing_dir)),
            "dbt": DbtCliResource(project_dir=project, profiles_dir=str(project.profiles_dir),
                                  target=settings.dbt_target, dbt_executable=settings.dbt_executable),
        },
    )


def mart_keys(assets: list[dg.AssetsDefinition]) -> list[dg.AssetKey]:
    """Every asset in the marts layer: the publish step waits for all of them."""
    return sorted({key for a in assets for key in a.keys if key.path[0] == "marts"}, key=str)


@dg.definitions
def defs() -> dg.Definitions:
    """Built when a Dagster tool loads the location, not at import."""
    return build_definitions()
