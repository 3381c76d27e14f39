"""The kommuner: the list (by län), one kommun with its rank, and its emissions (SMHI)."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at run time.
from datetime import date
from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import Response

from pipelines.api import queries
from pipelines.api.dependencies import (
    LAN_KOD_PATTERN,
    BuildDep,
    FormatQuery,
    KnownKommun,
    PageDep,
    build_memo,
)
from pipelines.api.problems import Problem, documented
from pipelines.api.render import json_response, page_response
from pipelines.api.routers.common import v1_router
from pipelines.api.schemas import EmissionsPage, KommunDetail, KommunPage
from pipelines.settings import YEARS

router = v1_router("kommuner")
CSV = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}
Year = Annotated[int | None, Query(ge=YEARS[0], le=YEARS[1], examples=[2024])]


@router.get(
    "/kommuner",
    summary="Every kommun (or a län's): code, name, län and latest population",
    response_model=KommunPage,
    responses={**CSV, **documented(400, 422)},
)
def kommuner(
    build: BuildDep,
    page: PageDep,
    lan_kod: Annotated[
        str | None,
        Query(pattern=LAN_KOD_PATTERN, description="Only this län (SCB's code).", examples=["20"]),
    ] = None,
    format: FormatQuery = "json",
) -> Response:
    if lan_kod is not None:
        lans = [kod for (kod,) in build_memo(build, "lan", queries.LAN_SQL)]
        if lan_kod not in lans:
            raise Problem(422, f"unknown lan_kod {lan_kod!r}", "lan_kod", allowed=lans)
    total, rows = queries.page_of(build, queries.KOMMUNER_SQL, [lan_kod], page.limit, page.offset)
    return page_response(build, page, rows, total, format, "kommuner")


@router.get(
    "/kommuner/{kommun_kod}",
    summary="One kommun, with its latest emissions and its rank in its län",
    response_model=KommunDetail,
    responses=documented(400, 404, 422),
)
def kommun(build: BuildDep, kommun_kod: KnownKommun) -> Response:
    with build.cursor() as cur:
        row = queries.one(cur, queries.KOMMUN_SQL, [kommun_kod])
        rank = queries.one(cur, queries.RANK_SQL, [kommun_kod])
    return json_response({**row, "rank_in_lan": rank})


@router.get(
    "/kommuner/{kommun_kod}/emissions",
    summary="Territorial emissions per year and main sector (SMHI; the newest release by default)",
    response_model=EmissionsPage,
    responses={**CSV, **documented(400, 404, 422)},
)
def emissions(
    build: BuildDep,
    kommun_kod: KnownKommun,
    page: PageDep,
    gas: Literal["CO2e", "CO2"] = "CO2e",
    year: Annotated[Year, Query(description="One year (instead of from_year and to_year).")] = None,
    from_year: Year = None,
    to_year: Year = None,
    sector: Annotated[
        str | None,
        Query(max_length=100, description="Main sector: its name or code.", examples=["transport"]),
    ] = None,
    vintage: Annotated[
        date | None,
        Query(
            description="An SMHI release (its date): the rows the warehouse holds from it, "
            "instead of the newest release's.",
            examples=["2026-06-25"],
        ),
    ] = None,
    format: FormatQuery = "json",
) -> Response:
    if year is not None:
        if from_year is not None or to_year is not None:
            raise Problem(422, "year excludes from_year and to_year", "year")
        from_year = to_year = year
    if from_year is not None and to_year is not None and from_year > to_year:
        raise Problem(422, f"from_year {from_year} is after to_year {to_year}", "from_year")
    sector_code = None
    if sector is not None:
        sectors = dict(build_memo(build, "sectors", queries.SECTORS_SQL))
        sector_code = sectors.get(sector) or (sector if sector in sectors.values() else None)
        if sector_code is None:
            allowed = sorted(sectors.values())
            raise Problem(422, f"unknown sector {sector!r}", "sector", allowed=allowed)
    if vintage is not None:
        vintages = [v for (v,) in build_memo(build, "vintages", queries.VINTAGES_SQL)]
        if vintage not in vintages:
            allowed = [v.isoformat() for v in vintages]
            raise Problem(422, f"no SMHI release of {vintage}", "vintage", allowed=allowed)
    params = [kommun_kod, gas, from_year, to_year, sector_code, vintage]
    total, rows = queries.page_of(build, queries.EMISSIONS_SQL, params, page.limit, page.offset)
    name = f"emissions_{kommun_kod}_{gas}"
    return page_response(build, page, rows, total, format, name)
