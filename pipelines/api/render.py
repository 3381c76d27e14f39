"""Response bodies: JSON with ISO dates and no NaN, pages with their next link, and CSV in the
download set's dialect (UTF-8 with BOM, ';', decimal comma) with formula-like text made inert."""

import csv
import io
import json
from datetime import date, datetime

from fastapi.responses import Response

from pipelines.api.builds import Build
from pipelines.api.dependencies import Page
from pipelines.lib import downloads
from sources.formula_safety import neutralise

JSON = "application/json"


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


def json_response(body: dict, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(jsonable(body), ensure_ascii=False, separators=(",", ":"))
    return Response(text.encode(), media_type=JSON, headers=headers)


def page_response(
    build: Build, page: Page, rows: list[dict], total: int, format: str, name: str, **extra
) -> Response:
    """A page as JSON (`next` in the body and in a Link header) or as CSV (the Link header)."""
    next_url = page.next_url(total)
    headers = {"X-Total-Count": str(total)}
    if next_url:
        headers["Link"] = f'<{next_url}>; rel="next"'
    if format == "csv":
        return csv_response(rows, name, headers)
    body = {
        "build_id": build.build_id,
        **extra,
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
        "next": next_url,
        "items": rows,
    }
    return json_response(body, headers)


def csv_response(rows: list[dict], name: str, headers: dict[str, str] | None = None) -> Response:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=downloads.CSV_DELIMITER, lineterminator="\n")
    if rows:
        writer.writerow(rows[0].keys())
        for row in rows:
            writer.writerow([csv_cell(v) for v in row.values()])
    headers = {**(headers or {}), "Content-Disposition": f'attachment; filename="{name}.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value or abs(value) == float("inf"):
            return ""
        return repr(value).replace(".", downloads.CSV_DECIMAL)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)
