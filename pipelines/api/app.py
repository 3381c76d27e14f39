"""The open-data API (FastAPI): read-only, fed only by the published serving copy.

The routes live in routers/ (one module per topic) and take what they need as typed
dependencies (dependencies.py: BuildDep, KnownKommun, PageDep); their errors are problems
(problems.py); their bodies are described in schemas.py. middleware.py serves each request from one
build, keeps answers rendered once per build, and answers conditional requests and HEAD.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from pipelines.api import openapi, problems
from pipelines.api.builds import BuildCache
from pipelines.api.middleware import ServeBuilds
from pipelines.api.render_cache import RenderCache
from pipelines.api.routers import ROUTERS
from pipelines.settings import Settings

ALREADY_COMPRESSED = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.apache.parquet",
)


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="Klimatneutrala Borlänge 2030: open data API",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.builds = BuildCache(settings.serving.dir)
    app.state.answers = RenderCache(settings.api.render_cache_mb << 20)
    for router in ROUTERS:
        app.include_router(router)
    problems.install(app)

    def described() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = openapi.document(app, settings.api)
        return app.openapi_schema

    app.openapi = described
    app.add_middleware(GZipMiddleware, minimum_size=1000, exclude_content_types=ALREADY_COMPRESSED)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD"],
        allow_headers=["If-None-Match"],  # a page revalidating with the ETag
    )
    app.add_middleware(
        ServeBuilds,
        builds=app.state.builds,
        cache=app.state.answers,
        max_age_s=settings.api.cache_max_age_s,
    )
    return app
