"""What every /v1 router shares: the prefix and the refusal of unknown query parameters."""

from fastapi import APIRouter, Depends

from pipelines.api.dependencies import only_known_parameters


def v1_router(tag: str) -> APIRouter:
    return APIRouter(prefix="/v1", tags=[tag], dependencies=[Depends(only_known_parameters)])
