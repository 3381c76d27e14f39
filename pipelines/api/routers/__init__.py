"""The API's routes, one module per topic. A new topic is a module with a `router` made by
`common.v1_router("topic")` (the /v1 prefix and the refusal of unknown query parameters), whose
routes take `BuildDep`, `KnownKommun` or `PageDep` (dependencies.py), declare their answers with
`documented(...)` (problems.py) and a schema (schemas.py), and return `render.json_response`;
add it to ROUTERS. Its answers are then kept per build like every other (middleware.py)."""

from pipelines.api.routers import datasets, docs, health, kommuner, nowcast, plan, trajectory

ROUTERS = (
    health.router,
    kommuner.router,
    trajectory.router,
    nowcast.router,
    plan.router,
    datasets.router,
    docs.router,
)
