"""A fake SCB PxWebApi 2.0 under `/api/v2`, served from the bundled payloads.

Reproduces what a client sees of the real API (data_sources.md §1.3, §5.1; reference
implementation PxTools/PxWebApi): `/config`, table metadata as JSON-stat 2.0 with an empty
`value`, data by POST body or by `valueCodes[Var]=...` query, case-insensitive variable and
value codes, selection expressions, elimination, the problem JSON of each error, the cell
limit and a per-window call quota answered with 429 and `Retry-After`.

A payload (written by `replay.build_scb_payloads`) holds the served `metadata` and a `cube`:
`{"id": [...], "value": [...], "status": {"<i>": symbol}}`, row-major over the listed
dimensions in metadata order and over all their categories. A metadata dimension missing
from the cube holds only its total: it can be eliminated, or set to its eliminationValueCode.
"""

from __future__ import annotations

import copy
import gzip
import itertools
import json
import math
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from replay.server import Request, Response

API_PREFIX = "/api/v2"
PAYLOAD_DIR = Path(__file__).resolve().parent / "payloads" / "scb"
JSON_STAT2 = "json-stat2"
# Formats the real API has; the replay renders json-stat2 only and rejects the rest with 400.
REAL_OUTPUT_FORMATS = {"px", "json-stat2", "csv", "xlsx", "html", "json-px", "parquet"}

_TABLE_PATH = re.compile(r"^/api/v2/tables/([^/]+)/(metadata|data)/?$", re.IGNORECASE)
_VALUECODES_KEY = re.compile(r"^valuecodes\[(.+)\]$", re.IGNORECASE)
_CODELIST_KEY = re.compile(r"^codelist\[(.+)\]$", re.IGNORECASE)


# ---------------------------------------------------------------- problems


class ProblemError(Exception):
    """A request the API refuses; carries the response to send."""

    def __init__(self, response: Response):
        super().__init__(response.body.decode("utf-8", "replace"))
        self.response = response


def problem(title: str, status: int = 400, detail: str | None = None) -> ProblemError:
    """A PxWebApi problem body (ProblemUtility), keys in the order of the captured bodies."""
    if detail is None:
        body = {"type": "Parameter error", "title": title, "status": status}
    else:
        body = {"type": "Parameter error", "detail": detail, "status": status, "title": title}
    return ProblemError(
        Response.json(body, status, content_type="application/problem+json; charset=utf-8")
    )


def non_existent_table() -> ProblemError:
    return problem("Non-existent table", 404)


def too_many_cells() -> ProblemError:
    return problem("Too many cells selected", 400, detail="Too many cells selected")


# ---------------------------------------------------------------- tables


class Table:
    """One bundled table: its metadata and the cube of values it can serve."""

    def __init__(self, payload: dict):
        self.metadata = payload["metadata"]
        self.table_id = self.metadata["extension"]["px"]["tableid"]
        self.ids: list[str] = list(self.metadata["id"])
        self.dimensions: dict[str, dict] = self.metadata["dimension"]
        self.codes = {d: category_codes(self.dimensions[d]) for d in self.ids}
        cube = payload["cube"]
        self.cube_ids: list[str] = list(cube["id"])
        self.cube_values: list = cube["value"]
        self.cube_status: dict[str, str] = cube.get("status") or {}
        self.time_ids = set(self.metadata.get("role", {}).get("time", []))
        self._check_cube()
        sizes = [len(self.codes[d]) for d in self.cube_ids]
        self.cube_strides = {d: math.prod(sizes[i + 1 :]) for i, d in enumerate(self.cube_ids)}

    def _check_cube(self) -> None:
        n = math.prod(len(self.codes[d]) for d in self.cube_ids)
        if len(self.cube_values) != n:
            raise ValueError(
                f"{self.table_id}: cube has {len(self.cube_values)} values, its dimensions give {n}"
            )
        for d in self.ids:
            if d not in self.cube_ids and not self.eliminable(d):
                raise ValueError(f"{self.table_id}: mandatory variable {d} must be in the cube")
            if d in self.cube_ids and self.eliminable(d) and self.elimination_code(d) is None:
                raise ValueError(
                    f"{self.table_id}: {d} would need summing; store its total instead"
                )

    def eliminable(self, var: str) -> bool:
        return bool(self.dimensions[var].get("extension", {}).get("elimination", False))

    def elimination_code(self, var: str) -> str | None:
        return self.dimensions[var].get("extension", {}).get("eliminationValueCode")

    def variable(self, name: str) -> str:
        """The real variable code for `name` (case-insensitive; "time" names the time variable)."""
        for var in self.ids:
            if var.lower() == name.lower():
                return var
        if name.lower() == "time" and self.time_ids:
            return next(iter(self.time_ids))
        raise problem("Non-existent variable")


def category_codes(dimension: dict) -> list[str]:
    index = dimension["category"]["index"]
    if isinstance(index, list):
        return list(index)
    return [code for code, _ in sorted(index.items(), key=lambda item: item[1])]


def read_payload(path: Path) -> dict:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return json.loads(data)


def load_tables(payload_dir: Path = PAYLOAD_DIR) -> dict[str, Table]:
    tables = {}
    for path in sorted(payload_dir.glob("*.json*")):
        table = Table(read_payload(path))
        tables[table.table_id.upper()] = table
    return tables


# ---------------------------------------------------------------- selection expressions

_TOP = re.compile(r"^(TOP|BOTTOM)\(([1-9]\d*)(?:,(\d+))?\)$", re.IGNORECASE)
_RANGE = re.compile(r"^RANGE\(([^,]+),([^,)]+)\)$", re.IGNORECASE)
_FROM_TO = re.compile(r"^(FROM|TO)\(([^,)]+)\)$", re.IGNORECASE)


def _position(codes: list[str], code: str) -> int:
    for i, c in enumerate(codes):
        if c.lower() == code.lower():
            return i
    raise problem("Non-existent value")


def _top_or_bottom(
    codes: list[str], which: str, count: int, offset: int, is_time: bool
) -> list[str]:
    # TOP is "the first values", except for time, where it means the latest (sorted ascending).
    from_end = (which.upper() == "TOP") == is_time
    if from_end:
        end = max(0, len(codes) - offset)
        return codes[max(0, end - count) : end]
    return codes[offset : offset + count]


def _wildcard(codes: list[str], expression: str) -> list[str]:
    stars = expression.count("*")
    if expression == "*":
        return list(codes)
    inner = expression.strip("*")
    valid = (stars == 1 and (expression.startswith("*") or expression.endswith("*"))) or (
        stars == 2 and expression.startswith("*") and expression.endswith("*")
    )
    if not valid or "*" in inner:
        raise problem("Illegal selection expression")
    low = inner.lower()
    if expression.startswith("*") and expression.endswith("*"):
        return [c for c in codes if low in c.lower()]
    if expression.startswith("*"):
        return [c for c in codes if c.lower().endswith(low)]
    return [c for c in codes if c.lower().startswith(low)]


def _question_marks(codes: list[str], expression: str) -> list[str]:
    pattern = re.compile("^" + re.escape(expression).replace(r"\?", ".") + "$", re.IGNORECASE)
    return [c for c in codes if pattern.match(c)]


def expand_value(codes: list[str], value: str, is_time: bool) -> list[str]:
    """The codes one selected value stands for: a code (any case) or an expression."""
    for code in codes:
        if code.lower() == value.lower():
            return [code]
    if "*" in value:
        return _wildcard(codes, value)
    if "?" in value:
        return _question_marks(codes, value)
    upper = value.upper()
    if upper.startswith(("TOP(", "BOTTOM(")):
        match = _TOP.match(value)
        if not match:
            raise problem("Illegal selection expression")
        return _top_or_bottom(codes, match[1], int(match[2]), int(match[3] or 0), is_time)
    if upper.startswith("RANGE("):
        match = _RANGE.match(value)
        if not match:
            raise problem("Illegal selection expression")
        a, b = sorted((_position(codes, match[1]), _position(codes, match[2])))
        return codes[a : b + 1]
    if upper.startswith(("FROM(", "TO(")):
        match = _FROM_TO.match(value)
        if not match:
            raise problem("Illegal selection expression")
        i = _position(codes, match[2])
        return codes[i:] if match[1].upper() == "FROM" else codes[: i + 1]
    raise problem("Non-existent value")


def expand_values(codes: list[str], values: list[str], is_time: bool) -> list[str]:
    """All selected codes, deduplicated, in the table's order."""
    chosen = {code for value in values for code in expand_value(codes, value, is_time)}
    return [c for c in codes if c in chosen]


# ---------------------------------------------------------------- request parsing


def split_query_values(raw: str) -> list[str]:
    """`a,b,[RANGE(1,2)]`: comma-separated, with a bracketed value allowed to hold commas."""
    values, current, depth = [], "", 0
    for ch in raw:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            values.append(current)
            current = ""
        else:
            current += ch
    values.append(current)
    return [
        v[1:-1] if v.startswith("[") and v.endswith("]") else v
        for v in (v.strip() for v in values)
        if v
    ]


def selection_from_query(query: dict[str, list[str]]) -> list[tuple[str, list[str], str | None]]:
    selection = []
    for key, raw_values in query.items():
        if match := _VALUECODES_KEY.match(key):
            values = [v for raw in raw_values for v in split_query_values(raw)]
            selection.append((match[1], values, None))
        elif match := _CODELIST_KEY.match(key):
            selection.append((match[1], [], raw_values[-1]))
    return selection


def selection_from_body(body: bytes) -> list[tuple[str, list[str], str | None]]:
    try:
        payload = json.loads(body or b"{}")
        items = payload.get("selection") or []
        return [
            (
                item["variableCode"],
                [str(v) for v in item.get("valueCodes") or []],
                item.get("codelist"),
            )
            for item in items
        ]
    except (ValueError, AttributeError, KeyError, TypeError) as exc:
        # ASP.NET model binding answers a body it cannot read with a validation problem.
        raise ProblemError(
            Response.json(
                {
                    "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                    "title": "One or more validation errors occurred.",
                    "status": 400,
                    "errors": {"$": [f"The request body could not be read: {exc}"]},
                },
                400,
                content_type="application/problem+json; charset=utf-8",
            )
        ) from None


def resolve_selection(
    table: Table, requested: list[tuple[str, list[str], str | None]], max_cells: int
) -> dict[str, list[str]]:
    """Validate and expand a selection as SelectionHandler does; eliminated variables get their
    eliminationValueCode (kept as a one-value dimension) or are left out (summed away)."""
    if not requested:
        raise problem("Missing selection for mandantory variable")
    given: dict[str, list[str]] = {}
    for name, values, codelist in requested:
        var = table.variable(name)
        if codelist:
            raise problem("Non-existent codelist")
        given.setdefault(var, []).extend(values)
    for var in table.ids:
        if not table.eliminable(var) and var not in given:
            raise problem("Missing selection for mandantory variable")
    chosen: dict[str, list[str]] = {}
    for var, values in given.items():
        codes = expand_values(table.codes[var], values, var in table.time_ids)
        if not codes and not table.eliminable(var):
            raise problem("Missing selection for mandantory variable")
        if codes:
            chosen[var] = codes
    if math.prod(len(codes) for codes in chosen.values()) > max_cells:
        raise too_many_cells()
    for var in table.ids:
        if var not in chosen and table.elimination_code(var) is not None:
            chosen[var] = [table.elimination_code(var)]
    for var, codes in chosen.items():
        if var not in table.cube_ids and codes != [table.elimination_code(var)]:
            raise problem(
                "Non-existent value",
                detail=f"The replay payload of {table.table_id} holds "
                f"only the total over {var}: leave the variable out.",
            )
    return {var: chosen[var] for var in table.ids if var in chosen}


# ---------------------------------------------------------------- rendering


def sliced_dimension(dimension: dict, codes: list[str]) -> dict:
    dim = copy.deepcopy(dimension)
    category = dim["category"]
    category["index"] = {c: i for i, c in enumerate(codes)}
    for key in ("label", "unit", "note"):
        if key in category:
            category[key] = {c: category[key][c] for c in codes if c in category[key]}
    ext = dim.get("extension", {})
    for key in ("refperiod", "measuringType", "priceType", "adjustment"):
        if isinstance(ext.get(key), dict):
            ext[key] = {c: ext[key][c] for c in codes if c in ext[key]}
    return dim


def slice_cube(table: Table, chosen: dict[str, list[str]]) -> tuple[list, dict[str, str]]:
    """Values (row-major over `chosen`) and the status of each null cell."""
    offsets = []
    for var, codes in chosen.items():
        if var in table.cube_ids:
            positions = {c: i for i, c in enumerate(table.codes[var])}
            offsets.append([positions[c] * table.cube_strides[var] for c in codes])
        else:
            offsets.append([0])  # a total-only variable: one value, not stored as a dimension
    values, status = [], {}
    for i, parts in enumerate(itertools.product(*offsets)):
        index = sum(parts)
        values.append(table.cube_values[index])
        symbol = table.cube_status.get(str(index))
        if symbol is not None:
            status[str(i)] = symbol
    return values, status


def dataset(table: Table, chosen: dict[str, list[str]]) -> dict:
    meta = table.metadata
    values, status = slice_cube(table, chosen)
    ids = list(chosen)
    out = {
        key: copy.deepcopy(meta[key])
        for key in ("version", "class", "label", "source", "updated", "note")
        if key in meta
    }
    out["role"] = {
        role: [d for d in dims if d in chosen] for role, dims in meta.get("role", {}).items()
    }
    out["id"] = ids
    out["size"] = [len(chosen[d]) for d in ids]
    out["dimension"] = {d: sliced_dimension(table.dimensions[d], chosen[d]) for d in ids}
    out["extension"] = copy.deepcopy(meta.get("extension", {}))
    out["value"] = values
    if status:
        out["status"] = status
    return out


# ---------------------------------------------------------------- the handler


class ScbHandler:
    """`handler(request) -> Response | None` for ReplayServer; claims paths under /api/v2."""

    def __init__(
        self,
        tables: dict[str, dict] | None = None,
        *,
        payload_dir: Path = PAYLOAD_DIR,
        max_data_cells: int = 150_000,
        max_calls_per_time_window: int = 30,
        time_window_s: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`tables` (table id -> payload) replaces the bundled payloads, e.g. for test-built ones.
        A `max_calls_per_time_window` of 0 turns the quota off (as /config then says)."""
        if tables is None:
            self.tables = load_tables(payload_dir)
        else:
            self.tables = {tid.upper(): Table(payload) for tid, payload in tables.items()}
        self.max_data_cells = max_data_cells
        self.max_calls = max_calls_per_time_window
        self.time_window_s = time_window_s
        self.clock = clock
        self._lock = threading.Lock()
        self._window_start: float | None = None
        self._window_calls = 0

    def config(self) -> dict:
        return {
            "apiVersion": "2.3.2",
            "appVersion": "replay",
            "languages": [{"id": "sv", "label": "Svenska"}],
            "defaultLanguage": "sv",
            "maxDataCells": self.max_data_cells,
            "maxCallsPerTimeWindow": self.max_calls,
            "timeWindow": self.time_window_s,
            "license": "https://creativecommons.org/share-your-work/public-domain/cc0/",
            "sourceReferences": [{"language": "sv", "text": "Källa: SCB"}],
            "defaultDataFormat": JSON_STAT2,
            "dataFormats": [JSON_STAT2],
            "features": [{"id": "CORS", "params": [{"key": "enabled", "value": "True"}]}],
        }

    def __call__(self, req: Request) -> Response | None:
        path = req.path.rstrip("/") or "/"
        if not (path.lower() == API_PREFIX or path.lower().startswith(API_PREFIX + "/")):
            return None
        limited = self._over_quota()
        if limited is not None:
            return limited
        try:
            return self._route(req, path)
        except ProblemError as err:
            return err.response

    def _route(self, req: Request, path: str) -> Response | None:
        if path.lower() == API_PREFIX + "/config":
            return Response.json(self.config()) if req.method == "GET" else _method_not_allowed()
        match = _TABLE_PATH.match(path)
        if not match:
            return None
        table_id, endpoint = match[1], match[2].lower()
        lang = req.arg("lang", "sv")
        if lang.lower() != "sv":
            raise problem(
                "Unsupported language", detail=f"The replay serves 'sv' only, not {lang!r}."
            )
        table = self.tables.get(table_id.upper())
        if table is None:
            raise non_existent_table()
        if endpoint == "metadata":
            return Response.json(table.metadata) if req.method == "GET" else _method_not_allowed()
        if req.method not in ("GET", "POST"):
            return _method_not_allowed()
        return self._data(table, req)

    def _data(self, table: Table, req: Request) -> Response:
        output_format = (req.arg("outputFormat") or JSON_STAT2).lower()
        if output_format != JSON_STAT2:
            raise problem("Unsupported output format", detail="Unsupported output format")
        requested = (
            selection_from_body(req.body)
            if req.method == "POST"
            else selection_from_query(req.query)
        )
        chosen = resolve_selection(table, requested, self.max_data_cells)
        return Response.json(dataset(table, chosen))

    def _over_quota(self) -> Response | None:
        """A fixed window per client (AspNetCoreRateLimit), answered with 429 and Retry-After."""
        if self.max_calls <= 0:
            return None
        with self._lock:
            now = self.clock()
            if self._window_start is None or now - self._window_start >= self.time_window_s:
                self._window_start, self._window_calls = now, 0
            self._window_calls += 1
            if self._window_calls <= self.max_calls:
                return None
            retry_after = max(1, math.ceil(self._window_start + self.time_window_s - now))
        return Response.text(
            f"API calls quota exceeded! maximum admitted {self.max_calls} per "
            f"{self.time_window_s}s.",
            429,
            {"Retry-After": str(retry_after)},
        )


def _method_not_allowed() -> Response:
    return Response(405, {"Allow": "GET, POST"}, b"")
