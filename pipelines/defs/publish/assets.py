"""The publish asset: after every mart is built and its blocking checks have passed, write the
serving copy, the Parquet exports and the download set (pipelines/lib/publish.py, downloads.py).
When a check fails, Dagster does not run this step, so the last good serving copy stays. It waits
for every mart: the definitions loader (pipelines/definitions.py) builds it from the marts of the
dbt manifest."""

from pathlib import Path

import dagster as dg

from pipelines.lib import publish
from pipelines.resources import ServingResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL

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
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, serving: ServingResource
    ) -> dg.MaterializeResult:
        with warehouse.working_copy(reads=("marts",)) as database:
            published = publish.publish(
                database,
                Path(serving.dir),
                build_id=publish.new_build_id(context.run_id),
                storage_version=serving.storage_version,
                git_revision=serving.git_revision,
                dbt_manifest=Path(serving.dbt_manifest),
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
