"""The API's routes, one module per topic. A new topic is a module with a `router` (an APIRouter
with the `V1` settings below), added to ROUTERS."""

from pipelines.api.routers import datasets, docs, health, kommuner, trajectory

ROUTERS = (
    health.router,
    kommuner.router,
    trajectory.router,
    datasets.router,
    docs.router,
)
