"""The plan (issue 24): a kommun's scenarios per year, business as usual against the plan with the
Monte Carlo's P10/P50/P90 (marts.fct_scenario_emissions, fct_plan_summary), and the actions with
their impact, cost per tonne and tracking (fct_action_tracking, fct_action_impact). Projections,
never statistics; the demo's portfolio is synthetic and every row says so (`is_synthetic`)."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at run time.
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from pipelines.api import queries
from pipelines.api.dependencies import BuildDep, FormatQuery, KnownKommun
from pipelines.api.problems import Problem, documented
from pipelines.api.render import csv_response, json_response
from pipelines.api.routers.common import v1_router
from pipelines.api.routers.kommuner import CSV
from pipelines.api.schemas import Actions, Scenarios

router = v1_router("plan")
SCENARIOS = ("bau", "plan", "beslutade")


@router.get(
    "/kommuner/{kommun_kod}/scenarios",
    summary="Business as usual against the plan, per year, with the plan's P10/P50/P90",
    response_model=Scenarios,
    responses={**CSV, **documented(400, 404, 422)},
)
def scenarios(
    build: BuildDep,
    kommun_kod: KnownKommun,
    scenario: Annotated[
        str | None,
        Query(max_length=20, description="bau, plan or beslutade.", examples=["plan"]),
    ] = None,
    sectors: Annotated[
        bool, Query(description="Every sector too, not only each inventory's total.")
    ] = False,
    format: FormatQuery = "json",
) -> Response:
    if scenario is not None and scenario not in SCENARIOS:
        raise Problem(422, f"unknown scenario {scenario!r}", "scenario", allowed=list(SCENARIOS))
    chosen = [scenario] if scenario else list(SCENARIOS)
    with build.cursor() as cur:
        rows = queries.rows_of(cur.execute(queries.SCENARIOS_SQL, [kommun_kod, chosen, sectors]))
        summary = queries.rows_of(cur.execute(queries.PLAN_SUMMARY_SQL, [kommun_kod, chosen]))
    if format == "csv":
        return csv_response(rows, f"scenarios_{kommun_kod}")
    return json_response(
        {
            "kommun_kod": kommun_kod,
            "is_projection": True,
            "summary": [{k: v for k, v in r.items() if k != "kommun_kod"} for r in summary],
            "years": [{k: v for k, v in r.items() if k != "kommun_kod"} for r in rows],
        }
    )


@router.get(
    "/actions",
    summary="The actions of the plan: status, impact in a year, cost per tonne, measured result",
    response_model=Actions,
    responses={**CSV, **documented(400, 422)},
)
def actions(
    build: BuildDep,
    year: Annotated[
        int,
        Query(ge=2000, le=2100, description="The year of the impact column.", examples=[2030]),
    ] = 2030,
    format: FormatQuery = "json",
) -> Response:
    with build.cursor() as cur:
        rows = queries.rows_of(cur.execute(queries.ACTIONS_SQL, [year]))
    if format == "csv":
        return csv_response(rows, "actions")
    return json_response({"year": year, "is_projection": True, "actions": rows})
