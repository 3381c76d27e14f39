"""The open-data API (FastAPI): read-only, fed only by the published serving copy.

Every request reads one build (pipelines/api/builds.py), says which in `X-Build-Id`, and gets an
ETag from that build id and its URL: If-None-Match answers 304 without touching the data, and a
new publish changes every ETag. Bad input gets a 4xx with an RFC 9457 problem body
(`application/problem+json`) naming the parameter; anything unexpected a 500 problem without a
traceback. SQL is parameterised; the few identifiers in it are constants of this module.
"""

# No `from __future__ import annotations`: FastAPI reads the local Annotated aliases at run time.
import csv
import hashlib
import io
import logging
import os
from collections.abc import Sequence
from datetime import date, datetime
from http import HTTPStatus
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from pipelines.api import docs_page
from pipelines.api.builds import Build, BuildCache, NoBuild, open_download
from pipelines.lib import downloads
from pipelines.settings import YEARS, Settings
from sources.formula_safety import neutralise

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
GASES = ("CO2e", "CO2")
KOMMUN_KOD_PATTERN = r"^\d{4}$"
DEFAULT_PAGE_SIZE = 100
MAX_OFFSET = 10_000_000
DOWNLOAD_CHUNK = 1 << 20
ALREADY_COMPRESSED = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.apache.parquet",
    "text/event-stream",
)

Format = Literal["json", "csv"]


class Problem(Exception):
    """A 4xx answer: RFC 9457 problem details naming the parameter at fault."""

    def __init__(self, status: int, detail: str, parameter: str | None = None, **extra: Any):
        super().__init__(detail)
        self.status, self.detail, self.parameter, self.extra = status, detail, parameter, extra


def problem_response(
    status: int,
    detail: str,
    request: Request | None = None,
    parameter: str | None = None,
    **extra: Any,
) -> JSONResponse:
    # "about:blank": the status code says it all (RFC 9457 4.2); `parameter` names the input at fault.
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    if parameter:
        body["parameter"] = parameter
    body.update(extra)
    headers = {"Cache-Control": "no-store"}
    build = getattr(request.state, "build", None) if request is not None else None
    if build is not None:
        headers["X-Build-Id"] = build.build_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def create_app(settings: Settings) -> FastAPI:
    builds = BuildCache(settings.serving.dir)
    app = FastAPI(
        title="Klimatneutrala Borlänge 2030: open data API",
        version="1",
        description=(
            "Emissions, population and trajectories per kommun, read-only, from the published "
            "serving copy of the warehouse. Every answer names its build (`X-Build-Id`); "
            "a list endpoint pages with `limit` and `offset` and answers `?format=csv`."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.builds = builds
    max_page = settings.api.max_page_size
    Limit = Annotated[
        int, Query(ge=1, le=max_page, description=f"Rows per page, at most {max_page}.")
    ]
    Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
    KommunKod = Annotated[
        str,
        PathParam(
            pattern=KOMMUN_KOD_PATTERN, description="SCB kommun code, 4 digits (Borlänge is 2081)."
        ),
    ]
    Year = Annotated[int | None, Query(ge=YEARS[0], le=YEARS[1])]

    # ---- errors -------------------------------------------------------------------------------
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, request, exc.parameter, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "parameter": str(e["loc"][-1]) if e.get("loc") else None,
                "in": str(e["loc"][0]) if e.get("loc") else None,
                "detail": e.get("msg", "invalid"),
            }
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"parameter": None, "detail": "invalid request"}
        return problem_response(
            422,
            f"{first['parameter']}: {first['detail']}",
            request,
            first["parameter"],
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return problem_response(exc.status_code, detail, request)

    @app.exception_handler(NoBuild)
    async def on_no_build(request: Request, exc: NoBuild) -> JSONResponse:
        return problem_response(
            503, "no build is published yet: run the pipeline (make demo)", request
        )

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s: %s: %s", request.url.path, type(exc).__name__, exc)
        return problem_response(500, "internal error; it is logged", request)

    # ---- one build per request, its ETag and caching -----------------------------------------
    @app.middleware("http")
    async def one_build(request: Request, call_next):
        if request.url.path in ("/openapi.json", "/docs"):
            response = await call_next(request)
            response.headers.setdefault(
                "Cache-Control", f"public, max-age={settings.api.cache_max_age_s}"
            )
            return response
        try:
            build = builds.acquire()
        except NoBuild as missing:
            return await on_no_build(request, missing)
        request.state.build = build
        try:
            etag = entity_tag(build.build_id, request)
            cache = (
                "no-cache"
                if request.url.path == "/v1/health"
                else f"public, max-age={settings.api.cache_max_age_s}"
            )
            if request.method in ("GET", "HEAD") and etag_matches(
                request.headers.get("if-none-match"), etag
            ):
                return Response(
                    status_code=304,
                    headers={"ETag": etag, "Cache-Control": cache, "X-Build-Id": build.build_id},
                )
            response = await call_next(request)
            response.headers["X-Build-Id"] = build.build_id
            if response.status_code == 200:
                response.headers["ETag"] = etag
                response.headers["Cache-Control"] = cache
            return response
        finally:
            builds.release(build)

    app.add_middleware(GZipMiddleware, minimum_size=1000, exclude_content_types=ALREADY_COMPRESSED)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD"],
        expose_headers=["ETag", "X-Build-Id", "X-Total-Count"],
    )

    # ---- endpoints ------------------------------------------------------------------------------
    @app.get("/v1/health", summary="The API is up, and which build it serves")
    def health(request: Request) -> dict:
        build: Build = request.state.build
        return {
            "status": "ok",
            "build_id": build.build_id,
            "built_at": build.datapackage.get("created"),
        }

    @app.get("/v1/kommuner", summary="Every kommun: code, name, län and latest population")
    def kommuner(
        request: Request,
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
        format: Format = "json",
    ):
        build: Build = request.state.build
        total, rows = query_page(build, KOMMUNER_SQL, [], limit, offset)
        return answer(request, rows, total, limit, offset, format, "kommuner")

    @app.get(
        "/v1/kommuner/{kommun_kod}",
        summary="One kommun, with its latest emissions and its rank in its län",
    )
    def kommun(request: Request, kommun_kod: KommunKod) -> dict:
        build: Build = request.state.build
        with build.cursor() as cur:
            row = one(cur, KOMMUN_SQL, [kommun_kod])
            if row is None:
                raise Problem(404, f"no kommun with code {kommun_kod!r}", "kommun_kod")
            rank = one(cur, RANK_SQL, [kommun_kod])
        return {**row, "rank_in_lan": rank}

    @app.get(
        "/v1/kommuner/{kommun_kod}/emissions",
        summary="Territorial emissions per year and main sector (SMHI, newest release)",
    )
    def emissions(
        request: Request,
        kommun_kod: KommunKod,
        gas: Literal["CO2e", "CO2"] = "CO2e",
        from_year: Year = None,
        to_year: Year = None,
        sector: Annotated[
            str | None, Query(max_length=100, description="Main sector: its name or code.")
        ] = None,
        limit: Limit = max_page,
        offset: Offset = 0,
        format: Format = "json",
    ):
        build: Build = request.state.build
        if from_year is not None and to_year is not None and from_year > to_year:
            raise Problem(422, f"from_year {from_year} is after to_year {to_year}", "from_year")
        with build.cursor() as cur:
            known_kommun(cur, kommun_kod)
            sector_code = None
            if sector is not None:
                sectors = dict(cur.execute(SECTORS_SQL).fetchall())
                sector_code = sectors.get(sector) or (
                    sector if sector in sectors.values() else None
                )
                if sector_code is None:
                    raise Problem(
                        422,
                        f"unknown sector {sector!r}",
                        "sector",
                        allowed=sorted(sectors.values()),
                    )
        params = [kommun_kod, gas, from_year, from_year, to_year, to_year, sector_code, sector_code]
        total, rows = query_page(build, EMISSIONS_SQL, params, limit, offset)
        return answer(request, rows, total, limit, offset, format, f"emissions_{kommun_kod}_{gas}")

    @app.get(
        "/v1/kommuner/{kommun_kod}/trajectory",
        summary="Each trajectory method's summary row and its yearly path (marts.trajectory, fct_carbon_budget)",
    )
    def trajectory(
        request: Request,
        kommun_kod: KommunKod,
        method: Annotated[
            str | None, Query(max_length=100, description="One method, e.g. carbon_law.")
        ] = None,
        format: Format = "json",
    ):
        build: Build = request.state.build
        with build.cursor() as cur:
            known_kommun(cur, kommun_kod)
            methods = [
                m
                for (m,) in cur.execute(
                    "select distinct method from marts.trajectory order by 1"
                ).fetchall()
            ]
            if method is not None and method not in methods:
                raise Problem(422, f"unknown method {method!r}", "method", allowed=methods)
            chosen = [method] if method else methods
            summaries = rows_of(
                cur.execute(
                    "select * from marts.trajectory where kommun_kod = ? and list_contains(?, method) order by method",
                    [kommun_kod, chosen],
                )
            )
            paths = rows_of(cur.execute(PATH_SQL, [kommun_kod, chosen]))
        if format == "csv":
            return csv_response(paths, f"trajectory_{kommun_kod}")
        by_method = {s["method"]: {"summary": s, "path": []} for s in summaries}
        for row in paths:
            by_method.setdefault(row["method"], {"summary": None, "path": []})["path"].append(
                {k: v for k, v in row.items() if k not in ("kommun_kod", "method")}
            )
        return {
            "kommun_kod": kommun_kod,
            "methods": [{"method": m, **v} for m, v in by_method.items()],
        }

    @app.get(
        "/v1/datasets",
        summary="Every published mart: rows, columns, build and licence, with its downloads",
    )
    def datasets(
        request: Request, limit: Limit = max_page, offset: Offset = 0, format: Format = "json"
    ):
        build: Build = request.state.build
        base = str(request.base_url).rstrip("/")
        items = [dataset_entry(r, build, base) for r in build.datapackage.get("resources", [])]
        if format == "csv":
            flat = [
                {
                    "name": d["name"],
                    "rows": d["rows"],
                    "columns": ",".join(c["name"] for c in d["columns"]),
                    "vintage": d["vintage"],
                    "licence": "; ".join(d["licences"]),
                    "build_id": d["build_id"],
                    **{f"{k}_url": v for k, v in d["downloads"].items()},
                }
                for d in items
            ]
            return csv_response(flat[offset : offset + limit], "datasets")
        return JSONResponse(
            {
                "build_id": build.build_id,
                "licence": build.datapackage.get("attribution"),
                "total": len(items),
                "limit": limit,
                "offset": offset,
                "items": items[offset : offset + limit],
            },
            headers={"X-Total-Count": str(len(items))},
        )

    @app.get(
        "/v1/datasets/{name}.{extension}", summary="A whole mart from the build's download set"
    )
    def dataset_file(
        request: Request,
        name: Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_]{0,62}$", description="The mart.")],
        extension: Annotated[
            Literal["csv", "json", "parquet", "xlsx"], PathParam(description="Format.")
        ],
    ):
        build: Build = request.state.build
        resource = build.resources.get(name)
        if resource is None:
            raise Problem(404, f"no published dataset {name!r}", "name")
        file_name = resource.get("formats", {}).get(extension)
        if file_name is None:
            raise Problem(404, f"dataset {name!r} has no {extension} file", "extension")
        fd = open_download(build, file_name)  # opened now: a prune cannot take it from this answer
        size = os.fstat(fd).st_size
        return StreamingResponse(
            stream_file(fd),
            media_type=downloads.MEDIA_TYPES[extension],
            headers={
                "Content-Length": str(size),
                "Content-Disposition": f'attachment; filename="{file_name}"',
            },
        )

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(
            docs_page.render(app.openapi()),
            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
        )

    return app


# ---- SQL: every value a parameter ---------------------------------------------------------------
LATEST_POPULATION = """
    select kommun_kod, year as population_year, population from marts.emissions_per_capita
    where population is not null and gas = 'CO2e'
    qualify row_number() over (partition by kommun_kod order by year desc) = 1"""
KOMMUNER_SQL = f"""
    select k.kommun_kod, k.kommun_namn, k.lan_kod, k.lan_namn, p.population, p.population_year
    from marts.dim_kommun k left join ({LATEST_POPULATION}) p using (kommun_kod)
    order by k.kommun_kod"""
KOMMUN_SQL = f"""
    with latest as (
        select kommun_kod, year as latest_year, tonnes as latest_tonnes_co2e, vintage, unit
        from marts.emissions_per_capita where kommun_kod = $1 and gas = 'CO2e' and in_latest_release
        qualify row_number() over (order by year desc) = 1)
    select k.kommun_kod, k.kommun_namn, k.lan_kod, k.lan_namn, p.population, p.population_year,
           l.latest_year, l.latest_tonnes_co2e, 't CO2e' as latest_unit, l.vintage, 'smhi_ned' as source_id
    from marts.dim_kommun k left join ({LATEST_POPULATION}) p using (kommun_kod) left join latest l using (kommun_kod)
    where k.kommun_kod = $1"""
RANK_SQL = """
    select year, gas, tonnes_per_capita, unit, rank_in_lan, kommuner_in_lan, rank_in_sweden, kommuner_in_sweden, vintage
    from marts.emissions_rank_in_lan where kommun_kod = ? and gas = 'CO2e' order by year desc limit 1"""
SECTORS_SQL = "select distinct huvudsektor, huvudsektor_code from marts.fct_emissions"
EMISSIONS_SQL = """
    select e.year, e.huvudsektor as sector, e.huvudsektor_code as sector_code, e.gas, sum(e.tonnes) as tonnes,
           e.unit, e.vintage, e.source_id, s.source_name as source, s.publisher, s.licence
    from marts.fct_emissions e left join marts.dim_data_source s using (source_id)
    where e.kommun_kod = ? and e.gas = ? and e.in_latest_release
      and (?::integer is null or e.year >= ?::integer) and (?::integer is null or e.year <= ?::integer)
      and (?::varchar is null or e.huvudsektor_code = ?::varchar)
    group by all order by e.year, e.huvudsektor_code"""
PATH_SQL = """
    select kommun_kod, method, year, gas, allowed_t, emissions_t, emissions_kind, cumulative_allowed_t,
           cumulative_emissions_t, budget_t, remaining_budget_t
    from marts.fct_carbon_budget where kommun_kod = ? and list_contains(?, method) order by method, year"""


def rows_of(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def one(cursor, sql: str, params: Sequence) -> dict | None:
    rows = rows_of(cursor.execute(sql, list(params)))
    return rows[0] if rows else None


def known_kommun(cursor, kommun_kod: str) -> None:
    if not cursor.execute(
        "select 1 from marts.dim_kommun where kommun_kod = ?", [kommun_kod]
    ).fetchall():
        raise Problem(404, f"no kommun with code {kommun_kod!r}", "kommun_kod")


def query_page(
    build: Build, sql: str, params: Sequence, limit: int, offset: int
) -> tuple[int, list[dict]]:
    with build.cursor() as cur:
        total = cur.execute(f"select count(*) from ({sql})", list(params)).fetchall()[0][0]
        rows = rows_of(cur.execute(f"{sql} limit ? offset ?", [*params, limit, offset]))
    return total, rows


def answer(
    request: Request, rows: list[dict], total: int, limit: int, offset: int, format: str, name: str
):
    if format == "csv":
        return csv_response(rows, name, total)
    return JSONResponse(
        jsonable(
            {
                "build_id": request.state.build.build_id,
                "total": total,
                "limit": limit,
                "offset": offset,
                "items": rows,
            }
        ),
        headers={"X-Total-Count": str(total)},
    )


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def csv_response(rows: list[dict], name: str, total: int | None = None) -> Response:
    """A page as CSV in the download set's dialect (UTF-8 with BOM, ';', decimal comma), text neutralised."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=downloads.CSV_DELIMITER, lineterminator="\n")
    if rows:
        writer.writerow(rows[0].keys())
        for row in rows:
            writer.writerow([csv_cell(v) for v in row.values()])
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    if total is not None:
        headers["X-Total-Count"] = str(total)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            repr(value).replace(".", downloads.CSV_DECIMAL)
            if value == value and abs(value) != float("inf")
            else ""
        )
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def dataset_entry(resource: dict, build: Build, base: str) -> dict:
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
        "licences": [lic.get("title") or lic.get("name") for lic in resource.get("licenses", [])]
        or [lic.get("title") or lic.get("name") for lic in build.datapackage.get("licenses", [])],
        "sources": [s.get("title") for s in resource.get("sources", [])],
        "downloads": {
            fmt: f"{base}/v1/datasets/{resource['name']}.{fmt}"
            for fmt in resource.get("formats", {})
        },
    }


def entity_tag(build_id: str, request: Request) -> str:
    url = request.url.path + ("?" + request.url.query if request.url.query else "")
    return f'"{build_id}-{hashlib.sha256(url.encode()).hexdigest()[:16]}"'


def etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def stream_file(fd: int):
    try:
        while chunk := os.read(fd, DOWNLOAD_CHUNK):
            yield chunk
    finally:
        os.close(fd)
