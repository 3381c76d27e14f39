"""A kommun's trajectories: each method's summary (marts.trajectory) and its yearly path
(marts.fct_carbon_budget)."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at run time.
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from pipelines.api import queries
from pipelines.api.dependencies import BuildDep, FormatQuery, KnownKommun, build_memo
from pipelines.api.problems import Problem, documented
from pipelines.api.render import csv_response, json_response
from pipelines.api.routers.common import v1_router
from pipelines.api.routers.kommuner import CSV
from pipelines.api.schemas import Trajectory

router = v1_router("trajectory")


@router.get(
    "/kommuner/{kommun_kod}/trajectory",
    summary="Each trajectory method's summary row and its yearly path",
    response_model=Trajectory,
    responses={**CSV, **documented(400, 404, 422)},
)
def trajectory(
    build: BuildDep,
    kommun_kod: KnownKommun,
    method: Annotated[
        str | None,
        Query(max_length=100, description="One method.", examples=["carbon_law"]),
    ] = None,
    format: FormatQuery = "json",
) -> Response:
    methods = [m for (m,) in build_memo(build, "methods", queries.METHODS_SQL)]
    if method is not None and method not in methods:
        raise Problem(422, f"unknown method {method!r}", "method", allowed=methods)
    chosen = [method] if method else methods
    with build.cursor() as cur:
        summaries = queries.rows_of(cur.execute(queries.SUMMARY_SQL, [kommun_kod, chosen]))
        paths = queries.rows_of(cur.execute(queries.PATH_SQL, [kommun_kod, chosen]))
    if format == "csv":
        return csv_response(paths, f"trajectory_{kommun_kod}")
    by_method = {s["method"]: {"summary": s, "path": []} for s in summaries}
    for row in paths:
        by_method.setdefault(row["method"], {"summary": None, "path": []})["path"].append(
            {k: v for k, v in row.items() if k not in ("kommun_kod", "method")}
        )
    methods_out = [{"method": m, **v} for m, v in by_method.items()]
    return json_response({"kommun_kod": kommun_kod, "methods": methods_out})
