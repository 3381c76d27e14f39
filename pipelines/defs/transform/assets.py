"""dbt models as Dagster assets, keyed by layer so keys survive a change of warehouse engine.

Two dbt ops: the models fed by the polars trajectory, nowcast and plan assets
(`AFTER_TRAJECTORY`) run in the second, after them; one op for both would make a cycle
(dbt -> polars -> dbt) inside one step. With METER_ENGINE=spark a third: the asset
meters/spark_marts builds the meter models on Spark from the lake and the warehouse's inputs
(pipelines/lib/meter_spark.py), and the warehouse's meter models, which then load Spark's tables
(`FROM_SPARK`), run after it.
Every invocation gets its vars from the settings (pipelines/lib/dbt.py).

The dbt assets depend on the settings when they are built (the target, its target folder, and the
manifest parsed for the settings' vars): the definitions loader (pipelines/definitions.py) builds
them with `dbt_definitions(settings)`, and the marts' keys for the publish and report steps with
`mart_keys(settings)`."""

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from pipelines import dbt_bound
from pipelines.defs.meters.assets import value_key
from pipelines.defs.meters.loads import MEDIA
from pipelines.lib import meter_spark as meter_spark_lib
from pipelines.lib.dbt import vars_argument
from pipelines.resources import MeterSparkResource, WarehouseResource
from pipelines.settings import DBT_PROJECT_DIR, DUCKDB_POOL, Settings

DBT_SOURCE_DIRS = ("models", "seeds", "tests", "macros")
AFTER_TRAJECTORY = "source:trajectory+ source:nowcast+ source:plan+"
FROM_SPARK = "source:meter_spark+"
SPARK_MARTS_KEY = dg.AssetKey(["meters", "spark_marts"])
# What Spark reads besides the lake (pipelines/lib/meter_spark.py INPUTS).
SPARK_INPUT_KEYS = [
    dg.AssetKey(relation.split(".")) for relation in meter_spark_lib.INPUTS.values()
]


def dbt_project_for(settings: Settings) -> DbtProject:
    return DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target=settings.dbt.target,
        target_path=settings.dbt.target_dir,
    )


class BoundDbtCliResource(DbtCliResource):
    """dbt started through pipelines/dbt_bound.py, so that it dies with the process that starts
    it: a run killed with SIGKILL leaves no `dbt build` holding the DuckDB write lock. dagster-dbt
    starts dbt itself (subprocess.Popen, no preexec_fn of ours), hence the wrapper as its
    executable; the real one is `real_dbt_executable` (DBT_EXECUTABLE)."""

    real_dbt_executable: str

    def cli(self, args, **kwargs) -> DbtCliInvocation:
        with dbt_bound.bound_environment(self.real_dbt_executable):
            return super().cli(args, **kwargs)


def dbt_resource(settings: Settings, project: DbtProject) -> DbtCliResource:
    return BoundDbtCliResource(
        project_dir=project,
        profiles_dir=str(project.profiles_dir),
        target=settings.dbt.target,
        dbt_executable=str(dbt_bound.SCRIPT),
        real_dbt_executable=settings.dbt.executable,
    )


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """True when any model, seed, test or macro is newer than the parsed manifest."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    files = [project_dir / "dbt_project.yml"]
    for folder in DBT_SOURCE_DIRS:
        files.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return any(f.stat().st_mtime > built for f in files)


def parse_key(settings: Settings) -> str:
    """What dbt's partial parse depends on besides the files: the target and the vars (the
    warehouse path is one, and it is part of the profile)."""
    return json.dumps([settings.dbt.target, *vars_argument(settings)], ensure_ascii=False)


def prepare_manifest(settings: Settings, project: DbtProject) -> None:
    """Parse the dbt project when the manifest is missing or stale (a fresh clone, an edit), or was
    parsed for other settings: each build copies target/partial_parse.msgpack, and dbt reuses it
    only when the profile and vars match. `dbt parse` opens no warehouse connection, so it never
    contends for the DuckDB lock."""
    stamp = Path(project.manifest_path).with_name("parsed_for.json")
    if (
        manifest_is_stale(Path(project.project_dir), Path(project.manifest_path))
        or not stamp.exists()
        or stamp.read_text(encoding="utf-8") != parse_key(settings)
    ):
        dbt_resource(settings, project).cli(
            ["parse", "--quiet", *vars_argument(settings)], target_path=Path(project.target_path)
        ).wait()
        stamp.write_text(parse_key(settings), encoding="utf-8")


def layer_of(dbt_resource_props: Mapping[str, Any]) -> str:
    """staging, intermediate or marts for models (their schema); reference for seeds."""
    if dbt_resource_props["resource_type"] == "seed":
        return "reference"
    return dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["fqn"][1]


def mart_keys(settings: Settings) -> list[dg.AssetKey]:
    """Every model of the marts layer: the publish and report steps wait for all of them."""
    project = dbt_project_for(settings)
    prepare_manifest(settings, project)
    manifest = Path(project.manifest_path)
    return list(_mart_keys_of(str(manifest), manifest.stat().st_mtime_ns))


@functools.cache
def _mart_keys_of(manifest_path: str, mtime_ns: int) -> tuple[dg.AssetKey, ...]:  # noqa: ARG001 - the cache key
    """The manifest's marts, read once per manifest version (publish and report both ask)."""
    nodes = json.loads(Path(manifest_path).read_text(encoding="utf-8"))["nodes"].values()
    return tuple(
        sorted(
            (
                dg.AssetKey(["marts", n["name"]])
                for n in nodes
                if n["resource_type"] == "model" and layer_of(n) == "marts"
            ),
            key=str,
        )
    )


class WarehouseTranslator(DagsterDbtTranslator):
    """Asset key [layer, model], group = layer; sources keep the key set in their meta."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([layer_of(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer_of(dbt_resource_props)


def build_dbt_assets(settings: Settings, project: DbtProject) -> list[dg.AssetsDefinition]:
    prepare_manifest(settings, project)
    # Several sources may be one asset: the partner asset loads five raw tables in one go.
    translator = WarehouseTranslator(
        settings=DagsterDbtTranslatorSettings(
            enable_asset_checks=True, enable_duplicate_source_asset_keys=True
        )
    )
    build = ["build", *vars_argument(settings)]
    on_spark = settings.spark.engine == "spark"

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        exclude=f"{AFTER_TRAJECTORY} {FROM_SPARK}" if on_spark else AFTER_TRAJECTORY,
        pool=DUCKDB_POOL,
    )
    def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from dbt.cli(build, context=context).stream()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        select=AFTER_TRAJECTORY,
        pool=DUCKDB_POOL,
    )
    def budget_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from dbt.cli(build, context=context).stream()

    if not on_spark:
        return [warehouse_dbt_models, budget_dbt_models]

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        select=FROM_SPARK,
        exclude=AFTER_TRAJECTORY,
        pool=DUCKDB_POOL,
    )
    def meter_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from dbt.cli(build, context=context).stream()

    return [warehouse_dbt_models, budget_dbt_models, meter_dbt_models, spark_marts_asset()]


def spark_marts_asset() -> dg.AssetsDefinition:
    """meters/spark_marts, built only with METER_ENGINE=spark (not at module level, where the
    definitions loader would collect it for every engine)."""

    @dg.asset(
        key=SPARK_MARTS_KEY,
        deps=[*(value_key(medium) for medium in MEDIA), *SPARK_INPUT_KEYS],
        group_name="intermediate",
        kinds={"spark", "dbt", "parquet"},
        # it reads the warehouse (the exported inputs) while the other steps may write it
        pool=DUCKDB_POOL,
        description="METER_ENGINE=spark: the meter models (staging, intermediate, the seven "
        "marts) built by dbt-spark from the lake on a local Spark or the cluster at SPARK_REMOTE, "
        "written as Parquet under METER_SPARK_DIR/tables/; the warehouse's meter models load "
        "them. Aggregates only leave Spark.",
    )
    def meter_marts_on_spark(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        meter_spark: MeterSparkResource,
    ) -> dg.MaterializeResult:
        try:
            inputs = meter_spark.build(warehouse)
        except meter_spark_lib.SparkBuildFailed as failed:
            raise dg.Failure(description=str(failed)) from None
        context.log.info(f"built the meter models on Spark; inputs exported: {inputs}")
        return dg.MaterializeResult(
            metadata={"tables": len(meter_spark_lib.TABLES), "input_rows": inputs}
        )

    return meter_marts_on_spark


def dbt_definitions(settings: Settings) -> dg.Definitions:
    """The dbt models as assets, and the dbt resource they run with."""
    project = dbt_project_for(settings)
    return dg.Definitions(
        assets=build_dbt_assets(settings, project),
        resources={"dbt": dbt_resource(settings, project)},
    )
