"""Kolada v3 replay: `GET /v3/data/kpi/{kpis}/municipality/{ids}/year/{years}` (and the two-segment
forms) over a bundled payload, as data_sources.md §2 describes the live API:

- comma lists in each path segment, at most 25 ids per segment (more: 400 with an error body, the
  live API's status for illegal parameters; the exact status is unverified);
- `per_page` (1..5000, default 5000) and `page` (1-based); `next_url` and `previous_url` absolute
  URLs to this server (from the Host header) or null;
- the envelope `{count, values, next_url, previous_url}`, `period` an int, inner
  `values: [{gender, count, status, value}]`;
- 404 for unknown routes. 429 with Retry-After comes from the server's fault injection.

The payload (`replay/payloads/kolada/kolada_values.json`, built by replay/build_kolada_payloads.py)
holds `values` in that shape plus `kpis` (what each KPI is and whether its values are derived or
synthetic) and `provenance`.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from replay.server import Request, Response

PAYLOAD_DIR = Path(__file__).resolve().parent / "payloads" / "kolada"
PAYLOAD_FILE = PAYLOAD_DIR / "kolada_values.json"
PREFIX = "/v3/data/"
MAX_IDS = 25
MAX_PER_PAGE = 5000
SEGMENTS = ("kpi", "municipality", "year")


def load_payload(path: Path = PAYLOAD_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def error(status: int, message: str) -> Response:
    return Response.json({"error": message, "status": status}, status)


class KoladaHandler:
    def __init__(self, payload: dict | None = None):
        self.payload = payload if payload is not None else load_payload()

    @property
    def values(self) -> list[dict]:
        return self.payload["values"]

    def __call__(self, req: Request) -> Response | None:
        if req.method != "GET" or not req.path.startswith(PREFIX):
            return None
        parts = [p for p in req.path[len(PREFIX) :].split("/") if p]
        if len(parts) % 2 or not parts:
            return error(404, f"unknown route {req.path}")
        filters: dict[str, list[str]] = {}
        for name, raw in zip(parts[::2], parts[1::2], strict=True):
            if name not in SEGMENTS or name in filters:
                return error(404, f"unknown route {req.path}")
            ids = [i for i in raw.split(",") if i]
            if len(ids) > MAX_IDS:
                return error(
                    400, f"too many ids in segment '{name}': {len(ids)}, at most {MAX_IDS}"
                )
            filters[name] = ids
        if len(filters) < 2:
            return error(400, "at least two of kpi, municipality and year are required")
        try:
            per_page = int(req.arg("per_page", str(MAX_PER_PAGE)))
            page = int(req.arg("page", "1"))
        except ValueError:
            return error(400, "per_page and page must be integers")
        if not 1 <= per_page <= MAX_PER_PAGE or page < 1:
            return error(400, f"per_page must be 1..{MAX_PER_PAGE} and page >= 1")
        selected = [
            v
            for v in self.values
            if ("kpi" not in filters or v["kpi"] in filters["kpi"])
            and ("municipality" not in filters or v["municipality"] in filters["municipality"])
            and ("year" not in filters or str(v["period"]) in filters["year"])
        ]
        start = (page - 1) * per_page
        chunk = selected[start : start + per_page]
        base = f"http://{req.headers.get('Host', '127.0.0.1')}{req.path}"

        def link(to_page: int) -> str:
            return f"{base}?{urlencode({'per_page': per_page, 'page': to_page})}"

        body = {
            "count": len(chunk),
            "values": chunk,
            "next_url": link(page + 1) if start + per_page < len(selected) else None,
            "previous_url": link(page - 1) if page > 1 else None,
        }
        return Response.json(body)
