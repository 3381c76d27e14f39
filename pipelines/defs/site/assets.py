"""The citizens' site asset: after each publish, build the static Swedish site (pipelines/defs/site/
build.py) from the serving copy that publish made current, never from the pipeline's warehouse
file, into SITE_DIR, swapped in atomically. Any static web host can serve that folder."""

from pathlib import Path

import dagster as dg

from pipelines.defs.publish.assets import SERVING_KEY
from pipelines.defs.site.build import write_site
from pipelines.resources import ReportResource, ServingResource
from pipelines.settings import DUCKDB_POOL

SITE_KEY = dg.AssetKey(["site", "medborgarsajt"])


# In the warehouse pool like every step (tests/architecture/test_definitions.py), though it reads
# only the serving copy.
@dg.asset(
    key=SITE_KEY,
    deps=[SERVING_KEY],
    group_name="serving",
    pool=DUCKDB_POOL,
    kinds={"html"},
    description="The citizens' static site (Swedish): the report kommun's page, a page per "
    "kommun, a comparison view and a map, every number cited; read from serving/current only.",
)
def medborgarsajt(
    context: dg.AssetExecutionContext, serving: ServingResource, report: ReportResource
) -> dg.MaterializeResult:
    site = write_site(Path(serving.dir), Path(serving.site_dir), report.kommun)
    context.log.info(f"site written to {site.path} ({site.pages} pages, build {site.build_id})")
    return dg.MaterializeResult(
        metadata={
            "site": dg.MetadataValue.path(str(site.path)),
            "open": dg.MetadataValue.url(site.report_page.as_uri()),
            "build_id": site.build_id,
            "pages": site.pages,
        }
    )
