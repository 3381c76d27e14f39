"""The publish asset: after every mart is built and its blocking checks have passed, write the
serving copy, the Parquet exports and the download set (pipelines/lib/publish.py, downloads.py).
When a check fails, Dagster does not run this step, so the last good serving copy stays. It waits
for every mart."""

import dagster as dg

from pipelines.defs.transform.assets import mart_keys
from pipelines.lib import engine, publish
from pipelines.settings import DUCKDB_POOL, Settings

SERVING_KEY = dg.AssetKey(["serving", "published_marts"])


def serving_asset(marts: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=SERVING_KEY,
        deps=marts,
        group_name="serving",
        pool=DUCKDB_POOL,
        kinds={"duckdb", "parquet"},
        description="Serving copy for BI (warehouse/serving/borlange.duckdb, read-only), Parquet "
        "exports of every mart with _manifest.json, and the open-data download set (CSV, XLSX, "
        "JSON, Parquet, datapackage.json), swapped in atomically.",
    )
    def serving_copy(
        context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
    ) -> dg.MaterializeResult:
        with engine.working_copy(settings, reads=("marts",)) as database:
            published = publish.publish(
                database,
                settings.serving_dir,
                build_id=publish.new_build_id(context.run_id),
                storage_version=settings.serving_storage_version,
                git_revision=settings.git_revision,
                dbt_manifest=settings.dbt_target_dir / "manifest.json",
            )
        return dg.MaterializeResult(
            metadata={
                "build_id": published.build_id,
                "serving_file": dg.MetadataValue.path(str(published.serving_file)),
                "parquet": dg.MetadataValue.path(str(published.parquet_dir)),
                "downloads": dg.MetadataValue.path(str(published.downloads_dir)),
                "tables": dg.MetadataValue.json(
                    {t["table"]: t["rows"] for t in published.manifest["tables"]}
                ),
                "git_revision": published.manifest["git_revision"],
            }
        )

    return serving_copy


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(assets=[serving_asset(mart_keys(settings))])
