"""A kommun's estimates for the years after SMHI's last (marts.fct_emissions_nowcast), with their
80 % and 95 % ranges, how the method did in its newest backtest (fct_nowcast_backtest_summary) and
the probability that the kommun's path fits the Paris budget (fct_nowcast_paris). Every estimate is
an "uppskattning", never an SMHI statistic: the body says so field by field. Beside them,
`smhi_preliminary` lists SMHI's own newest-year figures that are most likely SMHI's scaling of
the year before (fct_nowcast_base_year_common_change)."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at run time.
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from pipelines.api import queries
from pipelines.api.dependencies import BuildDep, FormatQuery, KnownKommun
from pipelines.api.problems import documented
from pipelines.api.render import csv_response, json_response
from pipelines.api.routers.common import v1_router
from pipelines.api.routers.kommuner import CSV
from pipelines.api.schemas import Nowcast

router = v1_router("nowcast")


@router.get(
    "/kommuner/{kommun_kod}/nowcast",
    summary="Estimated emissions after SMHI's last year, with ranges and the backtest",
    response_model=Nowcast,
    responses={**CSV, **documented(400, 404, 422)},
)
def nowcast(
    build: BuildDep,
    kommun_kod: KnownKommun,
    sectors: Annotated[
        bool,
        Query(description="Every SMHI main sector too, not only the total ('Alla')."),
    ] = False,
    format: FormatQuery = "json",
) -> Response:
    with build.cursor() as cur:
        estimates = queries.rows_of(cur.execute(queries.NOWCAST_SQL, [kommun_kod, sectors]))
        backtest = queries.rows_of(cur.execute(queries.NOWCAST_BACKTEST_SQL))
        paris = queries.rows_of(cur.execute(queries.NOWCAST_PARIS_SQL, [kommun_kod]))
        preliminary = queries.rows_of(cur.execute(queries.NOWCAST_BASE_YEAR_SQL, [kommun_kod]))
    if format == "csv":
        return csv_response(estimates, f"nowcast_{kommun_kod}")
    return json_response(
        {
            "kommun_kod": kommun_kod,
            "is_estimate": True,
            "estimates": [{k: v for k, v in r.items() if k != "kommun_kod"} for r in estimates],
            "backtest": backtest[0] if backtest else None,
            "paris": [{k: v for k, v in r.items() if k != "kommun_kod"} for r in paris],
            "smhi_preliminary": preliminary,
        }
    )
