"""Kolada v3 (RKA): KPI values per kommun / region and year, as long rows.

Protocol (../shared/reference/data_sources.md §2):
- `GET {base}/data/kpi/{kpi,…}/municipality/{id,…}/year/{y,…}?per_page=N` (base
  https://api.kolada.se/v3); at most 25 ids in one path segment, so longer lists are chunked;
  `per_page` at most 5000.
- Envelope `{"count", "values": [...], "next_url", "previous_url"}`; `next_url` (absolute, or
  null/empty on the last page) is followed page by page.
- A value object: `{"kpi", "period" (int; "year" in some outputs), "municipality",
  "values": [{"gender", "count", "status", "value" (float|null), "isdeleted"?}]}`.
- 429 with Retry-After is retried by the shared HttpClient; any other non-200 is an error that
  names the URL. Regions are coded `00` + the län code (Dalarna 0020, Sweden 0000).

A body that is not that shape raises KoladaResponseError naming the URL, the page and the field,
never a KeyError.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sources.http import HttpClient, SourceHTTPError

KOLADA_BASE_URL_DEFAULT = "https://api.kolada.se/v3"
MAX_IDS_PER_SEGMENT = 25
MAX_PER_PAGE = 5000
# A runaway next_url chain (a server pointing at itself) stops here rather than loop for ever.
MAX_PAGES = 1000
GENDERS = frozenset({"T", "K", "M"})


class KoladaResponseError(SourceHTTPError):
    """Kolada answered, but not with the v3 data envelope."""


def region_id(lan_kod: str) -> str:
    """Kolada's id of a län (region): '00' + the two-digit län code; Sweden is '0000'."""
    if len(lan_kod) != 2 or not lan_kod.isdigit():
        raise ValueError(f"län code {lan_kod!r} is not two digits")
    return "00" + lan_kod


def chunks(ids: Iterable[str], size: int = MAX_IDS_PER_SEGMENT) -> list[list[str]]:
    """Unique ids in order, in lists of at most `size` (Kolada's limit per path segment)."""
    seen = list(dict.fromkeys(str(i) for i in ids))
    if not seen:
        raise ValueError("no ids given")
    for value in seen:
        if not value or "," in value or "/" in value:
            raise ValueError(f"id {value!r} is empty or holds ',' or '/'")
    return [seen[i : i + size] for i in range(0, len(seen), size)]


@dataclass(frozen=True)
class KpiValue:
    kpi: str
    municipality: str
    year: int
    gender: str
    value: float | None
    status: str
    count: int | None
    is_deleted: bool
    note: str = ""  # only the replay sends one (DERIVED / SYNTHETIC labels); the live API has none


@dataclass(frozen=True)
class KoladaPage:
    url: str
    content: bytes = field(repr=False)
    sha256: str


@dataclass
class KoladaFetch:
    values: list[KpiValue]
    pages: list[KoladaPage]
    fetched_at: datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


class KoladaClient:
    def __init__(
        self,
        base_url: str = KOLADA_BASE_URL_DEFAULT,
        http: HttpClient | None = None,
        *,
        per_page: int = MAX_PER_PAGE,
        clock: Callable[[], datetime] = _utc_now,
    ):
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page {per_page} outside 1..{MAX_PER_PAGE}")
        self.http = http or HttpClient(base_url)
        self.base_url = self.http.check_url(base_url).rstrip("/")
        self.per_page = per_page
        self.clock = clock

    def data_url(self, kpis: list[str], municipalities: list[str], years: list[int]) -> str:
        return (
            f"{self.base_url}/data/kpi/{','.join(kpis)}/municipality/{','.join(municipalities)}"
            f"/year/{','.join(str(y) for y in years)}?per_page={self.per_page}"
        )

    def fetch(
        self, kpis: Iterable[str], municipalities: Iterable[str], years: Iterable[int]
    ) -> KoladaFetch:
        """Every value of every KPI x id x year: segments of 25 ids, following next_url."""
        year_list = [int(y) for y in dict.fromkeys(years)]
        values: list[KpiValue] = []
        pages: list[KoladaPage] = []
        for kpi_chunk in chunks(kpis):
            for id_chunk in chunks(municipalities):
                for year_chunk in chunks([str(y) for y in year_list]):
                    url = self.data_url(kpi_chunk, id_chunk, [int(y) for y in year_chunk])
                    for page in self._pages(url):
                        pages.append(page)
                        values.extend(parse_page(page.content, page.url))
        return KoladaFetch(values=values, pages=pages, fetched_at=self.clock())

    def _pages(self, url: str) -> Iterator[KoladaPage]:
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            if next_url in seen or len(seen) >= MAX_PAGES:
                raise KoladaResponseError(
                    f"GET {next_url}: next_url repeats or passes {MAX_PAGES} pages", url=next_url
                )
            seen.add(next_url)
            self._check_same_server(next_url, url)
            resp = self.http.request("GET", next_url)
            if resp.status_code != 200:
                raise KoladaResponseError(
                    f"GET {next_url}: HTTP {resp.status_code}; body starts {resp.text[:200]!r}",
                    url=next_url,
                    status=resp.status_code,
                    body=resp.text[:500],
                )
            content = resp.content
            yield KoladaPage(next_url, content, hashlib.sha256(content).hexdigest())
            next_url = envelope(content, next_url).get("next_url") or None

    def _check_same_server(self, next_url: str, first_url: str) -> None:
        """next_url must stay on the server asked: a page cannot send the client elsewhere."""
        a, b = urlsplit(next_url), urlsplit(first_url)
        if (a.scheme, a.netloc) != (b.scheme, b.netloc):
            raise KoladaResponseError(
                f"next_url {next_url!r} leaves {b.scheme}://{b.netloc}", url=next_url
            )


def envelope(content: bytes, url: str) -> dict:
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KoladaResponseError(
            f"GET {url}: body is not JSON ({exc}); starts {content[:80]!r}", url=url
        ) from None
    if not isinstance(body, dict) or not isinstance(body.get("values"), list):
        raise KoladaResponseError(f"GET {url}: expected an object with a 'values' list", url=url)
    if (
        "next_url" in body
        and body["next_url"] not in (None, "")
        and not isinstance(body["next_url"], str)
    ):
        raise KoladaResponseError(
            f"GET {url}: next_url is {type(body['next_url']).__name__}, not a URL", url=url
        )
    return body


def parse_page(content: bytes, url: str) -> list[KpiValue]:
    """The values of one page, one row per KPI x id x year x gender."""
    body = envelope(content, url)
    out: list[KpiValue] = []
    for i, item in enumerate(body["values"]):
        where = f"GET {url}: values[{i}]"
        if not isinstance(item, dict):
            raise KoladaResponseError(f"{where} is not an object", url=url)
        kpi, muni = item.get("kpi"), item.get("municipality")
        period = item.get("period", item.get("year"))
        if not isinstance(kpi, str) or not kpi:
            raise KoladaResponseError(f"{where}.kpi missing or not text", url=url)
        if not isinstance(muni, str) or not muni.isdigit():
            raise KoladaResponseError(f"{where}.municipality {muni!r} is not a numeric id", url=url)
        if isinstance(period, str) and period.isdigit():
            period = int(period)
        if not isinstance(period, int) or isinstance(period, bool) or not 1900 <= period <= 2100:
            raise KoladaResponseError(f"{where}.period {period!r} is not a year", url=url)
        inner = item.get("values")
        if not isinstance(inner, list):
            raise KoladaResponseError(f"{where}.values is not a list", url=url)
        for j, v in enumerate(inner):
            at = f"{where}.values[{j}]"
            if not isinstance(v, dict):
                raise KoladaResponseError(f"{at} is not an object", url=url)
            gender, value = v.get("gender"), v.get("value")
            if gender not in GENDERS:
                raise KoladaResponseError(f"{at}.gender {gender!r} not one of T, K, M", url=url)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                raise KoladaResponseError(f"{at}.value {value!r} is not a number or null", url=url)
            if value is not None and value != value:  # NaN
                raise KoladaResponseError(f"{at}.value is NaN", url=url)
            count = v.get("count")
            out.append(
                KpiValue(
                    kpi=kpi,
                    municipality=muni,
                    year=period,
                    gender=gender,
                    value=None if value is None else float(value),
                    status=str(v.get("status") or ""),
                    count=count if isinstance(count, int) and not isinstance(count, bool) else None,
                    is_deleted=bool(v.get("isdeleted", False)),
                    note=str(item.get("note") or ""),
                )
            )
    return out
