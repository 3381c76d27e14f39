"""RFC 9457 problem details (`application/problem+json`): the one shape of every error the API
answers, and the FastAPI exception handlers that produce it. A problem names the parameter at
fault; an unexpected error is logged and answered without a traceback."""

import json
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipelines.api.builds import NoBuild

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
NO_BUILD = "no build is published yet: run the pipeline (make demo)"


class Problem(Exception):
    """A 4xx answer naming the parameter at fault; `extra` adds members (`allowed`, ...)."""

    def __init__(self, status: int, detail: str, parameter: str | None = None, **extra: Any):
        super().__init__(detail)
        self.status, self.detail, self.parameter, self.extra = status, detail, parameter, extra


def problem_body(
    status: int, detail: str, instance: str | None = None, parameter: str | None = None, **extra
) -> bytes:
    # "about:blank": the status code says it all (RFC 9457 4.2); `parameter` names the input.
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    if parameter:
        body["parameter"] = parameter
    body.update(extra)
    return json.dumps(body, ensure_ascii=False).encode()


def problem_response(
    request: Request, status: int, detail: str, parameter: str | None = None, **extra: Any
) -> Response:
    return Response(
        problem_body(status, detail, request.url.path, parameter, **extra),
        status_code=status,
        media_type=PROBLEM,
        headers={"Cache-Control": "no-store"},
    )


async def on_problem(request: Request, exc: Problem) -> Response:
    return problem_response(request, exc.status, exc.detail, exc.parameter, **exc.extra)


async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
    errors = [
        {
            "parameter": str(e["loc"][-1]) if e.get("loc") else None,
            "in": str(e["loc"][0]) if e.get("loc") else None,
            "detail": e.get("msg", "invalid"),
        }
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"parameter": None, "detail": "invalid request"}
    detail = f"{first['parameter']}: {first['detail']}"
    return problem_response(request, 422, detail, first["parameter"], errors=errors)


async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem_response(request, exc.status_code, detail)


async def on_no_build(request: Request, _: NoBuild) -> Response:
    return problem_response(request, 503, NO_BUILD)


async def on_error(request: Request, exc: Exception) -> Response:
    log.error("unexpected error on %s: %s: %s", request.url.path, type(exc).__name__, exc)
    return problem_response(request, 500, "internal error; it is logged")


def install(app: FastAPI) -> None:
    """Every error of `app` answered as a problem."""
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(NoBuild, on_no_build)
    app.add_exception_handler(Exception, on_error)


PROBLEM_SCHEMA_REF = "#/components/schemas/ProblemDetails"
WHEN = {
    400: "A query parameter the route does not take; `unknown` names each.",
    404: "No such kommun, dataset or path; `parameter` names the input.",
    422: "An invalid parameter, named in `parameter` (with `allowed` where the values are few).",
    500: "An unexpected error; it is logged, and the answer carries no traceback.",
    503: "No build is published yet.",
}
NOT_MODIFIED = {"description": "Not Modified: If-None-Match named this build's ETag of the URL."}


def documented(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI `responses` for a route: 304 and the problems it may answer, besides 500 and 503,
    which every route that reads a build may answer."""
    answers: dict[int | str, dict] = {304: NOT_MODIFIED}
    for status in sorted({*statuses, 500, 503}):
        answers[status] = {
            "description": WHEN[status],
            "content": {PROBLEM: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
        }
    return answers
