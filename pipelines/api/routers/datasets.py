"""The published marts: the list with their columns, licences and download links, and each
download file (CSV, JSON, Parquet, XLSX) from the build's download set."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at run time.
import os
from typing import Annotated, Literal

from fastapi import Path as PathParam
from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from pipelines.api.builds import Build, open_download
from pipelines.api.dependencies import BuildDep, FormatQuery, PageDep
from pipelines.api.problems import Problem, documented
from pipelines.api.render import page_response
from pipelines.api.routers.common import v1_router
from pipelines.api.routers.kommuner import CSV
from pipelines.api.schemas import DatasetsPage
from pipelines.lib import downloads

router = v1_router("datasets")
DOWNLOAD_CHUNK = 1 << 20
BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/datasets",
    summary="Every published mart: rows, columns, build and licence, with its downloads",
    response_model=DatasetsPage,
    responses={**CSV, **documented(400, 422)},
)
def datasets(request: Request, build: BuildDep, page: PageDep, format: FormatQuery = "json"):
    base = f"{request.app.state.settings.api.public_base_url or ''}/v1/datasets"
    items = [dataset_entry(r, build, base) for r in build.datapackage.get("resources", [])]
    rows = page.slice(items)
    if format == "csv":
        rows = [
            {
                "name": d["name"],
                "rows": d["rows"],
                "columns": ",".join(c["name"] for c in d["columns"]),
                "vintage": d["vintage"],
                "licence": "; ".join(d["licences"]),
                "build_id": d["build_id"],
                **{f"{k}_url": v for k, v in d["downloads"].items()},
            }
            for d in rows
        ]
    licence = build.datapackage.get("attribution")
    return page_response(build, page, rows, len(items), format, "datasets", licence=licence)


@router.get(
    "/datasets/{name}.{extension}",
    summary="A whole mart from the build's download set",
    response_class=Response,
    responses={
        200: {
            "description": "The file, as an attachment.",
            "content": {media: BINARY for media in downloads.MEDIA_TYPES.values()},
        },
        **documented(400, 404, 422),
    },
)
def dataset_file(
    request: Request,
    build: BuildDep,
    name: Annotated[
        str,
        PathParam(
            pattern=r"^[a-z][a-z0-9_]{0,62}$", description="The mart.", examples=["dim_kommun"]
        ),
    ],
    extension: Annotated[
        Literal["csv", "json", "parquet", "xlsx"], PathParam(description="Format.")
    ],
) -> Response:
    resource = build.resources.get(name)
    if resource is None:
        raise Problem(404, f"no published dataset {name!r}", "name")
    file_name = resource.get("formats", {}).get(extension)
    if file_name is None:
        raise Problem(404, f"dataset {name!r} has no {extension} file", "extension")
    fd = open_download(build, file_name)  # opened now: a prune cannot take it from this answer
    size = os.fstat(fd).st_size
    if getattr(request.state, "head_only", False):
        # HEAD or a 304: the file unread. One empty chunk keeps it a stream, so its headers
        # (compression included) are those of the GET.
        os.close(fd)
        body = iter((b"",))
    else:
        body = stream_file(fd)
    return StreamingResponse(
        body,
        media_type=downloads.MEDIA_TYPES[extension],
        headers={
            "Content-Length": str(size),
            "Content-Disposition": f'attachment; filename="{file_name}"',
        },
    )


def dataset_entry(resource: dict, build: Build, base: str) -> dict:
    licences = resource.get("licenses") or build.datapackage.get("licenses", [])
    return {
        "name": resource["name"],
        "description": resource.get("description"),
        "rows": resource.get("rows"),
        "columns": [
            {
                "name": f["name"],
                "type": f["type"],
                "unit": f.get("unit"),
                "description": f.get("description"),
            }
            for f in resource.get("schema", {}).get("fields", [])
        ],
        "vintage": resource.get("vintage"),
        "build_id": build.build_id,
        "licences": [lic.get("title") or lic.get("name") for lic in licences],
        "sources": [s.get("title") for s in resource.get("sources", [])],
        # Relative to the API (or under API_PUBLIC_BASE_URL), never from the client's Host header.
        "downloads": {
            fmt: f"{base}/{resource['name']}.{fmt}" for fmt in resource.get("formats", {})
        },
    }


def stream_file(fd: int):
    try:
        while chunk := os.read(fd, DOWNLOAD_CHUNK):
            yield chunk
    finally:
        os.close(fd)
