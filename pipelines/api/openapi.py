"""The OpenAPI document: FastAPI's, completed with what it cannot know. The problem schema that
every error uses, the page size from the settings, HEAD beside every GET (same headers, no body),
the headers every answer carries, and the two statuses the server itself answers (408, 431)."""

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from pipelines.api.schemas import ProblemDetails
from pipelines.settings import ApiSettings

DESCRIPTION = """Emissions, population and trajectories per kommun, read-only, from the published
serving copy of the warehouse.

- Every answer names its build (`X-Build-Id`) and carries an `ETag`; `If-None-Match` answers 304
  until the next build.
- A list pages with `limit` (default and maximum {max_page}) and `offset`; the next page is in
  the body's `next` and in the `Link` header (`rel="next"`); `total` is also `X-Total-Count`.
  Lists also answer `?format=csv`.
- A query parameter that a route does not take is a 400; an invalid value a 422. Every error is
  an RFC 9457 problem (`application/problem+json`) naming the parameter.
- HEAD answers every GET route with the same headers and no body.
- The server answers 431 to request headers over {max_header} bytes and 408 to headers not
  received within {header_timeout:g} s.
"""


def document(app: FastAPI, api: ApiSettings) -> dict[str, Any]:
    spec = get_openapi(
        title=app.title,
        version=app.version,
        description=DESCRIPTION.format(
            max_page=api.max_page_size,
            max_header=api.max_header_bytes,
            header_timeout=api.header_timeout_s,
        ),
        routes=app.routes,
    )
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    problem = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["ProblemDetails"] = problem
    for operations in spec["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "limit":
                    parameter["schema"] = {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": api.max_page_size,
                        "default": api.max_page_size,
                    }
            for status, response in operation["responses"].items():
                if status == "200":
                    response["headers"] = {
                        "X-Build-Id": {"schema": {"type": "string"}},
                        "ETag": {"schema": {"type": "string"}},
                    }
        if "get" in operations:
            operations["head"] = head_of(operations["get"])
    return spec


def head_of(get: dict) -> dict:
    head = copy.deepcopy(get)
    head["operationId"] = get["operationId"] + "_head"
    head["summary"] = "Headers of: " + get.get("summary", "")
    for response in head["responses"].values():
        response.pop("content", None)
    return head
