"""dbt models as Dagster assets, keyed by layer so keys survive a change of warehouse engine."""


from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from pipelines.settings import DBT_PROJECT_DIR, DUCKDB_POOL, Settings

DBT_SOURCE_DIRS = ("models", "seeds", "tests", "macros")


def dbt_project_for(settings: Settings) -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target=settings.dbt_target)


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """True when any model, seed, test or macro is newer than the parsed manifest."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    files = [project_dir / "dbt_project.yml"]
    for folder in DBT_SOURCE_DIRS:
        files.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return any(f.stat().st_mtime > built for f in files)


def prepare_manifest(project: DbtProject, dbt_executable: str) -> None:
    """Parse the dbt project when the manifest is missing or stale (a fresh clone, an edit).
    `dbt parse` opens no warehouse connection, so it never contends for the DuckDB lock."""
    if manifest_is_stale(Path(project.project_dir), Path(project.manifest_path)):
        dbt = DbtCliResource(project_dir=project, profiles_dir=str(project.profiles_dir),
                             target=project.target, dbt_executable=dbt_executable)
        dbt.cli(["parse", "--quiet"], target_path=Path(project.target_path)).wait()


def layer_of(dbt_resource_props: Mapping[str, Any]) -> str:
    """staging, intermediate or marts for models (their schema); reference for seeds."""
    if dbt_resource_props["resource_type"] == "seed":
        return "reference"
    return dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["fqn"][1]


class WarehouseTranslator(DagsterDbtTranslator):
    """Asset key [layer, model], group = layer; sources keep the key set in their meta."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([layer_of(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer_of(dbt_resource_props)


# Models fed by the polars trajectory asset run in a second dbt op, after it: one op for
# both would make a cycle (dbt -> polars -> dbt) inside a single step.
AFTER_TRAJECTORY = "source:trajectory+ source:trajectory_marts+"


def build_dbt_assets(project: DbtProject, dbt_executable: str) -> list[dg.AssetsDefinition]:
    prepare_manifest(project, dbt_executable)
    # Several sources may be one asset: the partner asset loads five raw tables in one go.
    translator = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_duplicate_source_asset_keys=True))

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=translator,
                exclude=AFTER_TRAJECTORY, pool=DUCKDB_POOL)
    def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from dbt.cli(["build"], context=context).stream()

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=translator,
                select=AFTER_TRAJECTORY, pool=DUCKDB_POOL)
    def budget_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from dbt.cli(["build"], context=context).stream()

    return [warehouse_dbt_models, budget_dbt_models]
