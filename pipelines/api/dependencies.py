"""The typed dependencies of the API's routes: the build a request reads (`BuildDep`), a known
kommun (`KnownKommun`), a page (`PageDep`), and the guard that refuses query parameters a route
does not take (`only_known_parameters`, on every /v1 router)."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at run time.
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.dependencies.models import Dependant

from pipelines.api.builds import Build
from pipelines.api.problems import Problem

# ASCII digits only: `\d` would take २०८१ or full-width ２０８１ and answer 404 instead of 422.
KOMMUN_KOD_PATTERN = r"^[0-9]{4}$"
LAN_KOD_PATTERN = r"^[0-9]{2}$"
MAX_OFFSET = 10_000_000
HARD_MAX_PAGE = 100_000  # API_MAX_PAGE_SIZE's own bound; the setting is checked in `page`

Format = Literal["json", "csv"]
FormatQuery = Annotated[
    Format, Query(description="json, or csv in the download dialect (BOM, ';', decimal comma).")
]


def current_build(request: Request) -> Build:
    """The build the request reads: chosen once, before the route runs (middleware.py)."""
    return request.state.build


BuildDep = Annotated[Build, Depends(current_build)]


def build_memo(build: Build, name: str, sql: str) -> list:
    """A small list of the build's (kommun codes, sectors, ...), read once per build."""
    if name not in build.memo:
        with build.cursor() as cur:
            build.memo[name] = [tuple(row) for row in cur.execute(sql).fetchall()]
    return build.memo[name]


def known_kommun(
    build: BuildDep,
    kommun_kod: Annotated[
        str,
        PathParam(
            pattern=KOMMUN_KOD_PATTERN,
            description="SCB kommun code, 4 ASCII digits (Borlänge is 2081).",
            examples=["2081"],
        ),
    ],
) -> str:
    codes = {
        kod for (kod,) in build_memo(build, "kommuner", "select kommun_kod from marts.dim_kommun")
    }
    if kommun_kod not in codes:
        raise Problem(404, f"no kommun with code {kommun_kod!r}", "kommun_kod")
    return kommun_kod


KnownKommun = Annotated[str, Depends(known_kommun)]


@dataclass(frozen=True)
class Page:
    """One page of a list: `limit` rows from `offset`, and the link to the next page."""

    limit: int
    offset: int
    path: str
    query: tuple[tuple[str, str], ...]
    base_url: str  # API_PUBLIC_BASE_URL, or "" for links relative to the API's host

    def slice(self, items: list) -> list:
        return items[self.offset : self.offset + self.limit]

    def next_url(self, total: int) -> str | None:
        if self.offset + self.limit >= total:
            return None
        query = [(k, v) for k, v in self.query if k not in ("limit", "offset")]
        query += [("limit", str(self.limit)), ("offset", str(self.offset + self.limit))]
        return f"{self.base_url}{self.path}?{urlencode(query)}"


def page(
    request: Request,
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            le=HARD_MAX_PAGE,
            description="Rows per page; the default and the maximum are API_MAX_PAGE_SIZE (1000).",
        ),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")] = 0,
) -> Page:
    api = request.app.state.settings.api
    if limit is not None and limit > api.max_page_size:
        raise Problem(422, f"limit: at most {api.max_page_size}", "limit")
    return Page(
        limit=limit or api.max_page_size,
        offset=offset,
        path=request.url.path,
        query=tuple(request.query_params.multi_items()),
        base_url=api.public_base_url or "",
    )


PageDep = Annotated[Page, Depends(page)]


def query_names(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= query_names(sub)
    return names


_known: dict[str, frozenset[str]] = {}  # a route's unique id: the query parameters it takes


def only_known_parameters(request: Request) -> None:
    """A typo in a parameter's name is a 400 naming it, not a filter silently ignored."""
    route = request.scope["route"]
    known = _known.get(route.unique_id)
    if known is None:
        known = _known[route.unique_id] = frozenset(query_names(route.dependant))
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        raise Problem(
            400,
            f"unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            unknown[0],
            unknown=unknown,
            allowed=sorted(known),
        )
