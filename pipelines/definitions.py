"""The code location, `defs`: what `dagster dev -w workspace.yaml` and `dagster definitions
validate` load.

Dagster finds the domains by itself: `dg.load_from_defs_folder` collects every asset, check, job,
schedule and sensor defined at module level under pipelines/defs/ (the [tool.dg] project in
pyproject.toml), so a new feed is a new folder and no domain implements a contract of ours. What
holds for all of them is added here, from the settings read once: the resources
(pipelines/resources.py) and the executor.

A few definitions depend on the settings when they are built, and are built here from them:
- the dbt assets and their resource: the dbt target, its target folder, and the manifest parsed for
  the settings' vars (`dbt_definitions`, pipelines/defs/transform/assets.py);
- the publish and report assets, which wait for every mart of that manifest (`mart_keys`);
- the meters' reconciliation check, on the DuckDB target only: on PostgreSQL the meter marts it
  reads are disabled (`reconciliation_checks`, pipelines/defs/meters/assets.py).
The global policy comes last: `apply_automation` (pipelines/defs/automation/assets.py) gives every
asset its automation condition and the sources their freshness policies.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.defs.automation.assets import apply_automation
from pipelines.defs.meters.assets import reconciliation_checks
from pipelines.defs.operations.assets import recovering
from pipelines.defs.publish.assets import serving_asset
from pipelines.defs.report.assets import report_asset
from pipelines.defs.transform.assets import dbt_definitions, mart_keys
from pipelines.resources import resources_for
from pipelines.settings import Settings

EXECUTORS = {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}


def executor_for(name: str) -> dg.ExecutorDefinition:
    """Dagster's executor `name`, whose runs first free the pool slots of killed runs."""
    if name not in EXECUTORS:
        raise ValueError(f"DAGSTER_EXECUTOR={name!r}: expected one of {', '.join(EXECUTORS)}")
    return recovering(EXECUTORS[name])


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    marts = mart_keys(settings)
    defs = dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dbt_definitions(settings),
        dg.Definitions(
            assets=[serving_asset(marts), report_asset(marts)],
            asset_checks=reconciliation_checks(settings.dbt.target),
            resources=resources_for(settings, os.environ),
            executor=executor_for(settings.executor),
        ),
    )
    return apply_automation(defs)


@dg.definitions
def defs() -> dg.Definitions:
    """Built when a Dagster tool loads the location, not at import."""
    return build_definitions()
