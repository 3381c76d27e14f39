"""A thin client for SCB's PxWebApi 2.0 and a JSON-stat 2.0 decoder.

The client reads the API's published limits from `/config`, rate-limits itself to them,
splits selections that would exceed `maxDataCells`, and keeps every data response's raw
bytes so that callers can store them as provenance. See shared/reference/data_sources.md §1.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from sources.http import HttpClient, RateLimiter

SCB_BASE_URL_DEFAULT = "https://statistikdatabasen.scb.se/api/v2"

# SCB's open-data page: "maximalt tio anrop per tio sekunder ... 100 000 värden per tabell".
DEFAULT_MAX_DATA_CELLS = 100_000
DEFAULT_MAX_CALLS = 10
DEFAULT_TIME_WINDOW_S = 10.0

Selection = dict[str, list[str]]


class ScbApiError(RuntimeError):
    """SCB answered a request with a client error (RFC 7807 problem JSON)."""

    def __init__(
        self,
        message: str,
        *,
        table_id: str,
        status: int | None = None,
        title: str | None = None,
        detail: str | None = None,
        body: bytes = b"",
    ):
        super().__init__(message)
        self.table_id = table_id
        self.status = status
        self.title = title
        self.detail = detail
        self.body = body


@dataclass(frozen=True)
class ScbConfig:
    max_data_cells: int
    max_calls: int
    time_window_s: float
    raw: dict = field(default_factory=dict)


@dataclass
class JsonStatResult:
    """The decoded rows of one or more JSON-stat 2.0 responses for a table, and their raw bytes."""

    table_id: str
    frame: pl.DataFrame
    label: str | None = None
    source: str | None = None
    updated: str | None = None
    units: dict[str, str] = field(default_factory=dict)  # ContentsCode -> unit base
    category_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # dim -> code -> label
    raw_responses: list[bytes] = field(default_factory=list)  # byte for byte, per call
    selections: list[Selection] = field(default_factory=list)  # what each call asked for
    notes: list[str] = field(default_factory=list)  # the dataset's `note`
    extension: dict = field(default_factory=dict)  # the dataset's `extension`
    parts: list[JsonStatResult] = field(default_factory=list, repr=False)  # one per response

    def responses(self) -> list[JsonStatResult]:
        """Each response on its own, already decoded: its bytes, its selection and its rows, so a
        loader can land and load response by response without decoding anything again."""
        return self.parts or [self]


@dataclass
class PopulationResult:
    """Population per kommun and year, with the SCB responses it came from."""

    frame: pl.DataFrame
    results: list[JsonStatResult] = field(default_factory=list)

    @property
    def raw_responses(self) -> list[bytes]:
        return [raw for result in self.results for raw in result.raw_responses]


# ---------------------------------------------------------------- JSON-stat 2.0 decoding


def category_codes(dimension: dict) -> list[str]:
    """Category codes in index order; `index` is an object, an array, or absent (one category)."""
    category = dimension.get("category", {})
    index = category.get("index")
    if isinstance(index, list):
        return [str(code) for code in index]
    if isinstance(index, dict):
        return [str(code) for code, _ in sorted(index.items(), key=lambda item: item[1])]
    return [str(code) for code in category.get("label", {})]


def _dense(cells, n: int, what: str) -> list:
    """A JSON-stat value/status: an array, an object keyed by index, or one string for all."""
    if cells is None:
        return [None] * n
    if isinstance(cells, str):
        return [cells] * n
    if isinstance(cells, dict):
        dense = [None] * n
        for key, cell in cells.items():
            i = int(key)
            if not 0 <= i < n:
                raise ValueError(f"JSON-stat {what} index {i} is outside the {n} cells of the cube")
            dense[i] = cell
        return dense
    if len(cells) != n:
        raise ValueError(f"JSON-stat {what} has {len(cells)} entries but the sizes give {n} cells")
    return list(cells)


def decode_jsonstat2(payload: dict) -> pl.DataFrame:
    """One row per cell: a Utf8 code column per dimension, `value` (Float64) and `status` (Utf8).

    `value` is row-major over `id`/`size` (the last dimension varies fastest). `status` holds
    the cell's symbol (e.g. ".." for a suppressed value, which then is null) or null.
    """
    ids, sizes = payload["id"], payload["size"]
    if len(ids) != len(sizes):
        raise ValueError(f"JSON-stat id has {len(ids)} dimensions but size has {len(sizes)}")
    n = math.prod(sizes)
    if isinstance(payload.get("value"), list) and len(payload["value"]) != n:
        raise ValueError(
            f"JSON-stat value has {len(payload['value'])} cells but size {sizes} gives {n}"
        )
    columns: dict[str, list] = {}
    stride = n
    for dim_id, size in zip(ids, sizes, strict=True):
        codes = category_codes(payload["dimension"][dim_id])
        if len(codes) != size:
            raise ValueError(
                f"JSON-stat dimension {dim_id} has {len(codes)} categories but size {size}"
            )
        stride //= max(size, 1)
        block = [code for code in codes for _ in range(stride)]
        columns[dim_id] = block * (n // len(block)) if block else []
    values = _dense(payload.get("value"), n, "value")
    columns["value"] = [None if v is None else float(v) for v in values]
    columns["status"] = _dense(payload.get("status"), n, "status")
    schema = {dim_id: pl.Utf8 for dim_id in ids} | {"value": pl.Float64, "status": pl.Utf8}
    return pl.DataFrame(columns, schema=schema)


def dataset_info(payload: dict) -> dict:
    """Dataset-level metadata: label, source, updated, table id, units and category labels."""
    dimensions = payload.get("dimension", {})
    units = {}
    for dim_id in payload.get("role", {}).get("metric", []) or ["ContentsCode"]:
        for code, unit in dimensions.get(dim_id, {}).get("category", {}).get("unit", {}).items():
            units[code] = unit.get("base")
    return {
        "label": payload.get("label"),
        "source": payload.get("source"),
        "updated": payload.get("updated"),
        "table_id": payload.get("extension", {}).get("px", {}).get("tableid"),
        "units": units,
        "category_labels": {
            d: dict(dim.get("category", {}).get("label", {})) for d, dim in dimensions.items()
        },
    }


def jsonstat_result(
    table_id: str, raw_responses: list[bytes], selections: list[Selection]
) -> JsonStatResult:
    """Decode each response once and concatenate them (the chunks of one selection); the decoded
    responses stay available one by one through `responses()`."""
    parts = [
        _single_result(table_id, raw, selection)
        for raw, selection in zip(raw_responses, selections, strict=True)
    ]
    if len(parts) == 1:
        return parts[0]
    labels: dict[str, dict[str, str]] = {}
    for part in parts:
        for dim_id, dim_labels in part.category_labels.items():
            labels.setdefault(dim_id, {}).update(dim_labels)
    first = parts[0] if parts else JsonStatResult(table_id, pl.DataFrame())
    return JsonStatResult(
        table_id=first.table_id,
        frame=pl.concat([p.frame for p in parts], how="vertical") if parts else pl.DataFrame(),
        label=first.label,
        source=first.source,
        updated=first.updated,
        units=first.units,
        category_labels=labels,
        raw_responses=list(raw_responses),
        selections=list(selections),
        notes=first.notes,
        extension=first.extension,
        parts=parts,
    )


def _single_result(table_id: str, raw: bytes, selection: Selection) -> JsonStatResult:
    payload = json.loads(raw)
    info = dataset_info(payload)
    notes = payload.get("note") or []
    return JsonStatResult(
        table_id=info.get("table_id") or table_id,
        frame=decode_jsonstat2(payload),
        label=info.get("label"),
        source=info.get("source"),
        updated=info.get("updated"),
        units=info.get("units", {}),
        category_labels=info["category_labels"],
        raw_responses=[raw],
        selections=[selection],
        notes=[notes] if isinstance(notes, str) else list(notes),
        extension=payload.get("extension") or {},
    )


# ---------------------------------------------------------------- selections


def cell_count(selection: Selection) -> int:
    """Cells a selection asks for, counted as SCB does (empty = eliminated, not counted).

    An expression such as "*" or "TOP(5)" counts as one value: expand it from the metadata
    first when the size matters.
    """
    return math.prod(len(codes) for codes in selection.values() if codes)


def _largest_dimension(selection: Selection) -> str:
    return max(selection, key=lambda var: len(selection[var]))


def split_selection(selection: Selection, max_cells: int) -> list[Selection]:
    """Chunks of at most `max_cells` cells, split along the dimension with the most values."""
    cells = cell_count(selection)
    if cells <= max_cells:
        return [selection]
    var = _largest_dimension(selection)
    codes = selection[var]
    if len(codes) <= 1:
        return [selection]
    per_chunk = max(1, max_cells // (cells // len(codes)))
    chunks = []
    for start in range(0, len(codes), per_chunk):
        chunks.extend(
            split_selection({**selection, var: codes[start : start + per_chunk]}, max_cells)
        )
    return chunks


def halve_selection(selection: Selection) -> list[Selection] | None:
    """Two halves along the largest dimension, or None if every dimension has one value."""
    var = _largest_dimension(selection)
    codes = selection[var]
    if len(codes) <= 1:
        return None
    mid = len(codes) // 2
    return [{**selection, var: codes[:mid]}, {**selection, var: codes[mid:]}]


def selection_body(selection: Selection) -> dict:
    return {
        "selection": [
            {"variableCode": var, "valueCodes": list(codes)} for var, codes in selection.items()
        ]
    }


# ---------------------------------------------------------------- errors


def parse_problem(body: bytes) -> dict:
    """The RFC 7807 problem object of an error body, or {} when it is not JSON."""
    try:
        problem = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return problem if isinstance(problem, dict) else {}


def is_too_many_cells(status: int, problem: dict) -> bool:
    # The implementation answers 400, the spec says 403: accept both when the text is about cells.
    text = f"{problem.get('title', '')} {problem.get('detail', '')}".lower()
    return status in (400, 403) and "cell" in text


def api_error(table_id: str, what: str, status: int, body: bytes) -> ScbApiError:
    problem = parse_problem(body)
    title, detail = problem.get("title"), problem.get("detail")
    explained = "; ".join(dict.fromkeys(str(p) for p in (title, detail) if p)) or body[:200].decode(
        "utf-8", "replace"
    )
    return ScbApiError(
        f"SCB {table_id} {what}: HTTP {status}: {explained}",
        table_id=table_id,
        status=status,
        title=title,
        detail=detail,
        body=body,
    )


# ---------------------------------------------------------------- the client


class PxWebClient:
    """GET /config, GET /tables/{id}/metadata and POST /tables/{id}/data on PxWebApi 2.0."""

    def __init__(
        self,
        base_url: str = SCB_BASE_URL_DEFAULT,
        http: HttpClient | None = None,
        lang: str = "sv",
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.http = http or HttpClient(base_url)
        # The client builds absolute URLs on its own base: the same https rule applies to it.
        self.base_url = self.http.check_url(base_url).rstrip("/")
        self.lang = lang
        self.clock = clock
        self._config: ScbConfig | None = None
        self._metadata: dict[str, dict] = {}

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path}"

    def config(self) -> ScbConfig:
        """Read the published limits once and rate-limit every later call to them."""
        if self._config is not None:
            return self._config
        # Count /config itself against the conservative default before the real limits are known.
        limiter = self.http.rate_limiter
        if limiter is None:
            limiter = RateLimiter(
                DEFAULT_MAX_CALLS, DEFAULT_TIME_WINDOW_S, clock=self.clock, sleep=self.http.sleep
            )
            self.http.rate_limiter = limiter
        resp = self.http.request("GET", self._url("config"))
        if resp.status_code != 200:
            raise api_error("-", "GET /config", resp.status_code, resp.content)
        self._config = parse_config(resp.json())
        limiter.max_calls, limiter.window_s = self._config.max_calls, self._config.time_window_s
        return self._config

    def metadata(self, table_id: str) -> dict:
        if table_id not in self._metadata:
            self.config()
            resp = self.http.request(
                "GET", self._url(f"tables/{table_id}/metadata"), params={"lang": self.lang}
            )
            if resp.status_code != 200:
                raise api_error(table_id, "metadata", resp.status_code, resp.content)
            self._metadata[table_id] = resp.json()
        return self._metadata[table_id]

    def data(self, table_id: str, selection: Selection) -> JsonStatResult:
        """Fetch a selection in as many calls as `maxDataCells` requires, decoded and joined."""
        chunks = split_selection(selection, self.config().max_data_cells)
        fetched: list[tuple[Selection, bytes]] = []
        for chunk in chunks:
            self._fetch_chunk(table_id, chunk, fetched)
        return jsonstat_result(table_id, [raw for _, raw in fetched], [sel for sel, _ in fetched])

    def _fetch_chunk(
        self, table_id: str, selection: Selection, fetched: list[tuple[Selection, bytes]]
    ) -> None:
        resp = self.http.request(
            "POST",
            self._url(f"tables/{table_id}/data"),
            params={"lang": self.lang, "outputFormat": "json-stat2"},
            json=selection_body(selection),
        )
        if resp.status_code == 200:
            fetched.append((selection, resp.content))
            return
        halves = (
            halve_selection(selection)
            if is_too_many_cells(resp.status_code, parse_problem(resp.content))
            else None
        )
        if halves is None:
            raise api_error(table_id, "data", resp.status_code, resp.content)
        for half in halves:
            self._fetch_chunk(table_id, half, fetched)


def parse_config(config: dict) -> ScbConfig:
    """Limits from a /config body; absent or zero values fall back to SCB's documented ones."""
    return ScbConfig(
        max_data_cells=int(config.get("maxDataCells") or DEFAULT_MAX_DATA_CELLS),
        max_calls=int(config.get("maxCallsPerTimeWindow") or DEFAULT_MAX_CALLS),
        time_window_s=float(config.get("timeWindow") or DEFAULT_TIME_WINDOW_S),
        raw=config,
    )


# ---------------------------------------------------------------- population


@dataclass(frozen=True)
class PopulationTable:
    table_id: str
    contents_code: str
    first_year: int
    last_year: int | None
    # Mandatory variables pinned to their total codes; eliminable ones are left out.
    totals: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


# SCB moved 2025- into a new table with Cell-Key-Method noise: request totals, never sum parts.
POPULATION_TABLES = (
    PopulationTable("TAB638", "BE0101N1", 1968, 2024),
    PopulationTable(
        "TAB5557", "000007ME", 2025, None, {"Civilstand": ("SC",), "Alder": ("TotSA",)}
    ),
)

POPULATION_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "year": pl.Int32,
    "population": pl.Int64,
    "status": pl.Utf8,
    "table_id": pl.Utf8,
    "contents_code": pl.Utf8,
    "updated": pl.Utf8,
}


def kommun_codes(metadata: dict) -> list[str]:
    """The 4-digit Region codes of a table, in table order."""
    return [
        c for c in category_codes(metadata["dimension"]["Region"]) if len(c) == 4 and c.isdigit()
    ]


def population_selection(table: PopulationTable, metadata: dict, years: list[int]) -> Selection:
    available = set(category_codes(metadata["dimension"]["Tid"]))
    missing = [y for y in years if str(y) not in available]
    if missing:
        raise ValueError(
            f"SCB {table.table_id} has no year {missing}; it has {sorted(available)} "
            "(see published_population_years)"
        )
    return {
        "Region": kommun_codes(metadata),
        **{var: list(codes) for var, codes in table.totals.items()},
        "ContentsCode": [table.contents_code],
        "Tid": [str(y) for y in years],
    }


def population_frame(result: JsonStatResult) -> pl.DataFrame:
    frame = result.frame
    population = frame["value"]
    if (population.drop_nulls() != population.drop_nulls().round()).any():
        raise ValueError(f"SCB {result.table_id}: population values are not whole numbers")
    return frame.select(
        pl.col("Region").alias("kommun_kod"),
        pl.col("Tid").cast(pl.Int32).alias("year"),
        pl.col("value").cast(pl.Int64).alias("population"),
        pl.col("status"),
        pl.lit(result.table_id, pl.Utf8).alias("table_id"),
        pl.col("ContentsCode").alias("contents_code"),
        pl.lit(result.updated, pl.Utf8).alias("updated"),
    )


def published_population_years(client: PxWebClient, first_year: int, last_year: int) -> list[int]:
    """The years in [first_year, last_year] that the population tables publish (their metadata),
    so that a schedule never asks for a year SCB has not released yet."""
    published: set[int] = set()
    for table in POPULATION_TABLES:
        codes = category_codes(client.metadata(table.table_id)["dimension"]["Tid"])
        published.update(int(c) for c in codes if c.isdigit() and table.covers(int(c)))
    return sorted(y for y in published if first_year <= y <= last_year)


def fetch_population(client: PxWebClient, years: list[int]) -> PopulationResult:
    """Total population per kommun (4-digit code) for `years`: TAB638 (≤2024), TAB5557 (≥2025)."""
    uncovered = sorted(y for y in years if not any(t.covers(y) for t in POPULATION_TABLES))
    if uncovered:
        raise ValueError(f"no SCB population table covers the years {uncovered}")
    frames, results = [], []
    for table in POPULATION_TABLES:
        table_years = sorted({y for y in years if table.covers(y)})
        if not table_years:
            continue
        selection = population_selection(table, client.metadata(table.table_id), table_years)
        result = client.data(table.table_id, selection)
        frame = population_frame(result)
        expected = len(selection["Region"]) * len(table_years)
        if frame.height != expected:
            raise ValueError(f"SCB {table.table_id}: expected {expected} cells, got {frame.height}")
        frames.append(frame)
        results.append(result)
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=POPULATION_SCHEMA)
    return PopulationResult(frame.sort("year", "kommun_kod"), results)
