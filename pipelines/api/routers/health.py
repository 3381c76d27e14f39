"""GET /v1/health: the API is up, and which build it serves."""

from fastapi.responses import Response

from pipelines.api.dependencies import BuildDep
from pipelines.api.problems import documented
from pipelines.api.render import json_response
from pipelines.api.routers.common import v1_router
from pipelines.api.schemas import Health

router = v1_router("health")


@router.get(
    "/health",
    summary="The API is up, and which build it serves",
    response_model=Health,
    responses=documented(400),
)
def health(build: BuildDep) -> Response:
    return json_response(
        {"status": "ok", "build_id": build.build_id, "built_at": build.datapackage.get("created")}
    )
