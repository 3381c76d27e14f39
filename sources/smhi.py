"""SMHI Nationella emissionsdatabasen: download the Excel export and parse it to long form.

The export (`/api/getexcelfile/`) is one wide sheet: a short preamble, a year row, a
`Huvudsektor | Undersektor | Län | Kommun` label row, then one row per sector × area.
Län and kommun are given by NAME, so names are mapped to SCB codes through the dbt
seeds. Sector names stay raw here (the dbt layer maps them) but must be known to the
sector seed, so that a renamed sector stops the load instead of vanishing in a join.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlencode

import openpyxl
import polars as pl
import requests
from openpyxl.utils import get_column_letter

from sources.file_limits import FileLimits, check_xlsx, describe
from sources.http import HttpClient, SourceHTTPError

SMHI_BASE_URL_DEFAULT = "https://nationellaemissionsdatabasen.smhi.se"
DOWNLOAD_PATH = "/api/getexcelfile/"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPTED_CONTENT_TYPES = frozenset(
    {XLSX_CONTENT_TYPE, "application/vnd.ms-excel", "application/octet-stream"}
)

GAS_BY_SUB = {"GGT": "CO2e", "CO2": "CO2"}

ALLA = "Alla"
LABELS = ("Huvudsektor", "Undersektor", "Län", "Kommun")
FIRST_YEAR_COL = len(LABELS)  # 0-based: years start in column E
HEADER_SCAN_ROWS = 50  # the preamble is 3-5 rows; leave room for growth
LEVELS = ("riket", "lan", "kommun")

# Unit text after "Enhet:", normalised (case-folded, single spaces) -> factor to tonnes.
_UNIT_RE = re.compile(r"^(ton|kton|kiloton)( co2-ekv\.?)?/år$")
_UNIT_FACTOR = {"ton": 1.0, "kton": 1000.0, "kiloton": 1000.0}
_ISO_DATE_RE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def gas_for_sub(sub: str) -> str:
    """The gas an SMHI `sub` code measures; ValueError for codes this warehouse does not load."""
    try:
        return GAS_BY_SUB[sub]
    except KeyError:
        raise ValueError(
            f"unknown SMHI sub {sub!r}; expected one of {sorted(GAS_BY_SUB)}"
        ) from None


# --------------------------------------------------------------------------- download


class SmhiDownloadError(SourceHTTPError):
    """The server answered, but not with the xlsx we asked for."""


@dataclass(frozen=True)
class SmhiDownload:
    url: str
    params: dict
    sub: str
    content: bytes = field(repr=False)
    sha256: str
    fetched_at: datetime
    content_type: str
    filename: str


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SmhiClient:
    """GET the Excel export through the shared HttpClient (retries, timeouts, Retry-After)."""

    def __init__(
        self,
        base_url: str = SMHI_BASE_URL_DEFAULT,
        http: HttpClient | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ):
        self.http = http or HttpClient(base_url)
        # The client builds absolute URLs on its own base: the same https rule applies to it.
        self.base_url = self.http.check_url(base_url).rstrip("/")
        self.clock = clock

    def download_url(self, params: dict) -> str:
        # The query goes into the URL itself so that every error names the exact file asked for.
        return f"{self.base_url}{DOWNLOAD_PATH}?{urlencode(params)}"

    def download(
        self, sub: str = "GGT", county: str = "0", municipality: str = "0"
    ) -> SmhiDownload:
        gas_for_sub(sub)  # fail before the network on a sub we could not parse anyway
        params = {"county": str(county), "municipality": str(municipality), "sub": sub}
        url = self.download_url(params)
        resp = self.http.request("GET", url)
        check_xlsx_response(resp, url)
        default_name = f"smhi_{sub}.xlsx"
        return SmhiDownload(
            url=url,
            params=params,
            sub=sub,
            content=resp.content,
            sha256=hashlib.sha256(resp.content).hexdigest(),
            fetched_at=self.clock(),
            content_type=resp.headers.get("Content-Type", ""),
            filename=filename_from_disposition(
                resp.headers.get("Content-Disposition"), default_name
            ),
        )


def check_xlsx_response(resp: requests.Response, url: str) -> None:
    """Raise SmhiDownloadError unless `resp` is a 200 carrying an xlsx workbook."""
    if resp.status_code != 200:
        raise SmhiDownloadError(
            f"GET {url}: HTTP {resp.status_code}, expected 200 with an .xlsx file; body starts "
            f"{resp.text[:200]!r}",
            url=url,
            status=resp.status_code,
            body=resp.text[:500],
        )
    content_type = resp.headers.get("Content-Type", "")
    if not _is_spreadsheet_type(content_type):
        raise SmhiDownloadError(
            f"GET {url}: Content-Type {content_type!r} is not a spreadsheet (expected "
            f"{XLSX_CONTENT_TYPE})",
            url=url,
            status=resp.status_code,
            body=resp.text[:500],
        )
    if not _is_xlsx(resp.content):
        raise SmhiDownloadError(
            f"GET {url}: body is not an .xlsx workbook ({len(resp.content)} bytes, starts "
            f"{resp.content[:16]!r})",
            url=url,
            status=resp.status_code,
        )


def _is_spreadsheet_type(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media in ACCEPTED_CONTENT_TYPES or "spreadsheet" in media


def _is_xlsx(content: bytes) -> bool:
    if not content.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def filename_from_disposition(value: str | None, default: str) -> str:
    """The file name in a Content-Disposition header (RFC 6266), without any directory part."""
    if not value:
        return default
    extended = re.search(r"filename\*\s*=\s*[\w-]+'[^']*'([^;]+)", value, re.IGNORECASE)
    plain = re.search(r'filename\s*=\s*"([^"]*)"', value, re.IGNORECASE) or re.search(
        r"filename\s*=\s*([^;]+)", value, re.IGNORECASE
    )
    name = unquote(extended.group(1)) if extended else plain.group(1) if plain else ""
    name = PurePosixPath(name.strip().replace("\\", "/")).name
    return name or default


# --------------------------------------------------------------------------- reference


@dataclass(frozen=True)
class SectorName:
    level: str  # 'huvudsektor' | 'undersektor'
    raw_name: str
    canonical_name: str
    sector_code: str


def _fold(name: str) -> str:
    return name.strip().casefold()


@dataclass(frozen=True)
class SmhiReference:
    """Name -> code lookups built from the dbt seeds."""

    kommun_names: dict[str, str]  # kommun_kod -> SCB name
    lan_of_kommun: dict[str, str]  # kommun_kod -> lan_kod
    lan_names: dict[str, str]  # lan_kod -> SCB name
    kommun_aliases: dict[str, str]  # alias -> kommun_kod
    sectors: dict[tuple[str, str], SectorName]  # (level, raw_name) -> entry
    _kommun_exact: dict[str, str] = field(init=False, repr=False)
    _kommun_folded: dict[str, str] = field(init=False, repr=False)
    _lan_exact: dict[str, str] = field(init=False, repr=False)
    _lan_folded: dict[str, str] = field(init=False, repr=False)
    _sector_folded: dict[tuple[str, str], SectorName] = field(init=False, repr=False)

    def __post_init__(self):
        kommun_exact = {
            name: code for code, name in self.kommun_names.items()
        } | self.kommun_aliases
        lan_exact = {name: code for code, name in self.lan_names.items()}
        object.__setattr__(self, "_kommun_exact", kommun_exact)
        object.__setattr__(self, "_kommun_folded", {_fold(k): v for k, v in kommun_exact.items()})
        object.__setattr__(self, "_lan_exact", lan_exact)
        object.__setattr__(self, "_lan_folded", {_fold(k): v for k, v in lan_exact.items()})
        object.__setattr__(
            self,
            "_sector_folded",
            {(lvl, _fold(raw)): entry for (lvl, raw), entry in self.sectors.items()},
        )

    def kommun_code(self, name: str) -> str | None:
        name = name.strip()
        return self._kommun_exact.get(name) or self._kommun_folded.get(_fold(name))

    def lan_code(self, name: str) -> str | None:
        name = name.strip()
        return self._lan_exact.get(name) or self._lan_folded.get(_fold(name))

    def sector(self, level: str, raw_name: str) -> SectorName | None:
        raw_name = raw_name.strip()
        return self.sectors.get((level, raw_name)) or self._sector_folded.get(
            (level, _fold(raw_name))
        )


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)} (has {reader.fieldnames})")
        return list(reader)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def load_reference(seeds_dir: Path) -> SmhiReference:
    """Read scb_kommuner.csv, smhi_kommun_name_aliases.csv and smhi_sector_names.csv."""
    seeds_dir = Path(seeds_dir)
    kommun_rows = _read_csv(
        seeds_dir / "scb_kommuner.csv", ("kommun_kod", "kommun_namn", "lan_kod", "lan_namn")
    )
    alias_rows = _read_csv(seeds_dir / "smhi_kommun_name_aliases.csv", ("alias", "kommun_kod"))
    sector_rows = _read_csv(
        seeds_dir / "smhi_sector_names.csv", ("level", "raw_name", "canonical_name", "sector_code")
    )
    for row in kommun_rows:
        _require(
            re.fullmatch(r"\d{4}", row["kommun_kod"]) is not None
            and row["kommun_kod"][:2] == row["lan_kod"]
            and re.fullmatch(r"\d{2}", row["lan_kod"]) is not None,
            f"scb_kommuner.csv: bad codes in {row} (expected 4-digit kommun_kod starting with "
            "its 2-digit lan_kod)",
        )
    kommun_names = {r["kommun_kod"]: r["kommun_namn"].strip() for r in kommun_rows}
    _require(
        len(set(kommun_names.values())) == len(kommun_names),
        "scb_kommuner.csv: duplicate kommun names",
    )
    aliases = {r["alias"].strip(): r["kommun_kod"] for r in alias_rows}
    unknown = {a: c for a, c in aliases.items() if c not in kommun_names}
    _require(not unknown, f"smhi_kommun_name_aliases.csv: codes not in scb_kommuner.csv: {unknown}")
    sectors = {}
    for r in sector_rows:
        key = (r["level"], r["raw_name"].strip())
        _require(
            r["level"] in ("huvudsektor", "undersektor"), f"smhi_sector_names.csv: bad level in {r}"
        )
        _require(key not in sectors, f"smhi_sector_names.csv: duplicate {key}")
        sectors[key] = SectorName(
            r["level"], key[1], r["canonical_name"].strip(), r["sector_code"].strip()
        )
    return SmhiReference(
        kommun_names=kommun_names,
        lan_of_kommun={r["kommun_kod"]: r["lan_kod"] for r in kommun_rows},
        lan_names={r["lan_kod"]: r["lan_namn"].strip() for r in kommun_rows},
        kommun_aliases=aliases,
        sectors=sectors,
    )


# --------------------------------------------------------------------------- parse


class SmhiFormatError(ValueError):
    """A cell that does not look like the SMHI export; names file, sheet, row and column."""

    def __init__(
        self,
        file_name: str,
        sheet: str | None,
        row: int | None,
        column: str | None,
        value: object,
        problem: str,
        expected: str,
        *,
        about_value: bool = True,
    ):
        self.file_name = file_name
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        where = [file_name]
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        if not about_value:
            what = problem  # something is missing, not wrong
        elif value is None:
            what = "empty cell"
        else:
            what = f"value {value!r} {problem}"
        super().__init__(f"{', '.join(where)}: {what} (expected {expected})")


@dataclass(frozen=True)
class SmhiParsed:
    vintage: date
    sub: str
    gas: str
    unit: str  # raw text after "Enhet:"
    sheet: str
    report_name: str  # e.g. "Länsrapport, 2024-04-18"
    frame: pl.DataFrame = field(repr=False)
    file_name: str = ""
    title: str = ""  # e.g. "Emissioner av Koldioxid (CO2)"
    years: tuple[int, ...] = ()
    header_row: int = 0  # 1-based Excel row of the Huvudsektor label row


FRAME_SCHEMA = {
    "level": pl.String,
    "lan_kod": pl.String,
    "kommun_kod": pl.String,
    "huvudsektor_raw": pl.String,
    "undersektor_raw": pl.String,
    "lan_namn_raw": pl.String,
    "kommun_namn_raw": pl.String,
    "year": pl.Int32,
    "tonnes": pl.Float64,
    "source_row": pl.Int32,
}


@dataclass
class _Where:
    """File and sheet, for error messages."""

    file_name: str
    sheet: str | None

    def error(self, row, col_index, value, problem, expected) -> SmhiFormatError:
        column = get_column_letter(col_index + 1) if col_index is not None else None
        return SmhiFormatError(self.file_name, self.sheet, row, column, value, problem, expected)

    def missing(self, row, col_index, problem, expected) -> SmhiFormatError:
        column = get_column_letter(col_index + 1) if col_index is not None else None
        return SmhiFormatError(
            self.file_name, self.sheet, row, column, None, problem, expected, about_value=False
        )


@dataclass(frozen=True)
class _Preamble:
    report_name: str
    vintage: date
    unit: str
    factor: float
    title: str


def parse_smhi_excel(
    content: bytes, *, file_name: str, sub: str, reference: SmhiReference
) -> SmhiParsed:
    """Parse an SMHI export to one row per (data row, year), with codes and tonnes. The bytes pass
    the file feeds' xlsx guard first (sources/file_limits.py): a zip bomb is a format error."""
    gas = gas_for_sub(sub)
    refusal = check_xlsx(content, FileLimits())
    if refusal is not None:
        raise SmhiFormatError(
            file_name,
            None,
            None,
            None,
            None,
            describe(refusal),
            "an .xlsx workbook as SMHI exports it",
            about_value=False,
        )
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        ws, header_index = _find_sheet(wb, file_name)
        where = _Where(file_name, ws.title)
        rows = ws.iter_rows(values_only=True)
        above = [next(rows) for _ in range(header_index)]
        label_row = next(rows)
        header_row = header_index + 1
        if header_index == 0:
            raise where.error(
                1, 0, label_row[0], "has no year row above it", "a year row above the label row"
            )
        preamble = _read_preamble(above[:-1], where)
        years = _read_years(above[-1], header_row - 1, where)
        _check_labels(label_row, header_row, len(years), sub, where)
        columns = _read_data_rows(rows, header_row + 1, len(years), reference, where)
    finally:
        wb.close()
    return SmhiParsed(
        vintage=preamble.vintage,
        sub=sub,
        gas=gas,
        unit=preamble.unit,
        sheet=ws.title,
        report_name=preamble.report_name,
        frame=_to_long(columns, years, preamble.factor),
        file_name=file_name,
        title=preamble.title,
        years=tuple(years),
        header_row=header_row,
    )


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _cell(row: tuple, index: int):
    return row[index] if index < len(row) else None


def _find_sheet(wb, file_name: str):
    """The first sheet with a 'Huvudsektor' cell in column A, and that row's 0-based index."""
    for ws in wb.worksheets:
        for index, row in enumerate(ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)):
            if _text(_cell(row, 0)) == LABELS[0]:
                return ws, index
    raise _header_not_found(wb, file_name)


def _header_not_found(wb, file_name: str) -> SmhiFormatError:
    """Point at the row below the year row, where 'Huvudsektor' should have been."""
    ws = wb.worksheets[0]
    where = _Where(file_name, ws.title)
    expected = (
        f"'{LABELS[0]}' in column A of the label row '{' | '.join(LABELS)}' below the year row"
    )
    rows = list(ws.iter_rows(max_row=HEADER_SCAN_ROWS + 1, values_only=True))
    for index, row in enumerate(rows[:-1]):
        if _year(_cell(row, FIRST_YEAR_COL)) is not None:
            return where.error(
                index + 2, 0, _cell(rows[index + 1], 0), "is not the label row", expected
            )
    return where.missing(
        None,
        0,
        f"no '{LABELS[0]}' row in the first {HEADER_SCAN_ROWS} rows of any of "
        f"the sheets {wb.sheetnames}",
        expected,
    )


def _read_preamble(rows: list[tuple], where: _Where) -> _Preamble:
    report_name = unit = title = None
    report_row = unit_row = 0
    for number, row in enumerate(rows, start=1):
        first = _text(_cell(row, 0))
        if first.startswith("Rapportnamn"):
            report_name = _rest_of_line(row, "Rapportnamn:")
            report_row = number
        elif first.startswith("Enhet:"):
            unit = _rest_of_line(row, "Enhet:")
            unit_row = number
        elif first.startswith("Emissioner"):
            title = first
    if report_name is None:
        raise where.error(
            1,
            0,
            _cell(rows[0], 0) if rows else None,
            "is not a report line",
            "a 'Rapportnamn:' line in the preamble",
        )
    found = _ISO_DATE_RE.search(report_name)
    vintage = _iso_date(found.group(1)) if found else None
    if vintage is None:
        raise where.error(
            report_row, 1, report_name, "has no valid report date", "'Länsrapport, YYYY-MM-DD'"
        )
    if unit is None:
        raise where.missing(
            None, 0, "no unit line in the preamble", "a line 'Enhet: ton/år' or similar"
        )
    return _Preamble(report_name, vintage, unit, _unit_factor(unit, unit_row, where), title or "")


def _rest_of_line(row: tuple, prefix: str) -> str:
    """Text after `prefix` in column A, or in the next non-empty cell when A is just the prefix."""
    rest = _text(row[0])[len(prefix) :].strip()
    if rest:
        return rest
    return next((_text(v) for v in row[1:] if _text(v)), "")


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _unit_factor(unit: str, row: int, where: _Where) -> float:
    match = _UNIT_RE.match(" ".join(unit.split()).casefold())
    if match is None:
        raise where.error(
            row,
            0,
            unit,
            "is not a known unit",
            "'ton/år', 'ton CO2-ekv/år', 'ton CO2-ekv./år', 'kton/år' or 'kiloton/år'",
        )
    return _UNIT_FACTOR[match.group(1)]


def _year(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 1900 <= value <= 2100 else None


def _read_years(row: tuple, row_number: int, where: _Where) -> list[int]:
    cells = list(row[FIRST_YEAR_COL:])
    while cells and cells[-1] is None:
        cells.pop()
    if not cells:
        raise where.error(row_number, FIRST_YEAR_COL, None, "", "years in columns E onwards")
    years: list[int] = []
    for offset, value in enumerate(cells):
        year = _year(value)
        if year is None:
            raise where.error(
                row_number, FIRST_YEAR_COL + offset, value, "is not a year", "a year such as 1990"
            )
        if year in years:
            raise where.error(
                row_number, FIRST_YEAR_COL + offset, value, "is a duplicate year", "each year once"
            )
        years.append(year)
    return years


def _check_labels(row: tuple, row_number: int, n_years: int, sub: str, where: _Where) -> None:
    for index, label in enumerate(LABELS):
        if _text(_cell(row, index)) != label:
            raise where.error(
                row_number, index, _cell(row, index), "is not the expected label", repr(label)
            )
    # The year columns repeat the sub code ('CO2'); a different known code means the wrong file.
    for index in range(FIRST_YEAR_COL, FIRST_YEAR_COL + n_years):
        label = _text(_cell(row, index)).upper()
        if label in GAS_BY_SUB and label != sub.upper():
            raise where.error(
                row_number,
                index,
                _cell(row, index),
                "names another substance",
                f"data for sub={sub!r}",
            )


def _read_data_rows(
    rows: Iterable[tuple], first_row: int, n_years: int, reference: SmhiReference, where: _Where
) -> dict[str, list]:
    """Validate every data row and collect its labels, codes and yearly values column-wise."""
    columns: dict[str, list] = {
        name: []
        for name in (
            "level",
            "lan_kod",
            "kommun_kod",
            "huvudsektor_raw",
            "undersektor_raw",
            "lan_namn_raw",
            "kommun_namn_raw",
            "source_row",
        )
    }
    values: list[list[float]] = [[] for _ in range(n_years)]
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows, start=first_row):
        if all(v is None for v in row):
            continue
        labels = [_label(row, i, number, where) for i in range(len(LABELS))]
        sectors = _sectors(labels, number, reference, where)
        level, lan_kod, kommun_kod = _locate(labels[2], labels[3], number, reference, where)
        key = (*sectors, lan_kod, kommun_kod, level)
        if key in seen:
            raise where.error(
                number,
                0,
                " | ".join(labels),
                "repeats a row",
                "one row per (Huvudsektor, Undersektor, Län, Kommun); first seen in row "
                f"{seen[key]}",
            )
        seen[key] = number
        for i, value in enumerate(_tonnes_cells(row, number, n_years, where)):
            values[i].append(value)
        for name, value in zip(
            (
                "level",
                "lan_kod",
                "kommun_kod",
                "huvudsektor_raw",
                "undersektor_raw",
                "lan_namn_raw",
                "kommun_namn_raw",
                "source_row",
            ),
            (level, lan_kod, kommun_kod, *labels, number),
            strict=True,
        ):
            columns[name].append(value)
    if not seen:
        raise where.missing(first_row, 0, "no data rows", "data rows below the label row")
    return columns | {f"y{i}": v for i, v in enumerate(values)}


def _label(row: tuple, index: int, number: int, where: _Where) -> str:
    value = _cell(row, index)
    if not _text(value):
        raise where.error(
            number, index, value, "is not a name", f"a {LABELS[index]} name or 'Alla'"
        )
    return value.strip()


def _sectors(
    labels: list[str], number: int, reference: SmhiReference, where: _Where
) -> tuple[str, str]:
    """Canonical (huvudsektor, undersektor); every raw name must be in the sector seed."""
    found = []
    for index, level in ((0, "huvudsektor"), (1, "undersektor")):
        entry = reference.sector(level, labels[index])
        if entry is None:
            raise where.error(
                number,
                index,
                labels[index],
                f"is not a known {LABELS[index]}",
                f"a {level} name listed in smhi_sector_names.csv",
            )
        found.append(entry.canonical_name)
    return found[0], found[1]


def _locate(
    lan: str, kommun: str, number: int, reference: SmhiReference, where: _Where
) -> tuple[str, str | None, str | None]:
    """(level, lan_kod, kommun_kod) from the Län and Kommun names."""
    if lan == ALLA:
        if kommun != ALLA:
            raise where.error(number, 3, kommun, "has Län 'Alla'", "Kommun 'Alla' on a Sweden row")
        return "riket", None, None
    lan_kod = reference.lan_code(lan)
    if lan_kod is None:
        raise where.error(number, 2, lan, "is not a known län", "a län name in scb_kommuner.csv")
    if kommun == ALLA:
        return "lan", lan_kod, None
    kommun_kod = reference.kommun_code(kommun)
    if kommun_kod is None:
        raise where.error(
            number,
            3,
            kommun,
            "is not a known kommun",
            "a kommun name in scb_kommuner.csv or smhi_kommun_name_aliases.csv",
        )
    if reference.lan_of_kommun[kommun_kod] != lan_kod:
        raise where.error(
            number,
            3,
            kommun,
            f"is kommun {kommun_kod}, not in län {lan_kod} ({lan})",
            "the kommun to lie in the row's län",
        )
    return "kommun", lan_kod, kommun_kod


def _tonnes_cells(row: tuple, number: int, n_years: int, where: _Where) -> Iterator[float]:
    for index in range(FIRST_YEAR_COL, FIRST_YEAR_COL + n_years):
        yield _tonnes(_cell(row, index), number, index, where)
    extra = [(i, v) for i, v in enumerate(row) if i >= FIRST_YEAR_COL + n_years and v is not None]
    if extra:
        index, value = extra[0]
        raise where.error(number, index, value, "lies outside the year columns", "an empty cell")


def _tonnes(value, number: int, index: int, where: _Where) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise where.error(number, index, value, "is not a number", "tonnes")
    if not math.isfinite(value):
        raise where.error(number, index, value, "is not finite", "tonnes")
    if value < 0:
        raise where.error(number, index, value, "is negative", "tonnes >= 0")
    return float(value)


def _to_long(columns: dict[str, list], years: list[int], factor: float) -> pl.DataFrame:
    year_cols = [f"y{i}" for i in range(len(years))]
    wide = pl.DataFrame(
        columns,
        schema={
            **{k: FRAME_SCHEMA[k] for k in columns if k in FRAME_SCHEMA},
            **{c: pl.Float64 for c in year_cols},
        },
    )
    year_of = {col: year for col, year in zip(year_cols, years, strict=True)}
    long = wide.unpivot(
        index=[k for k in columns if k in FRAME_SCHEMA],
        on=year_cols,
        variable_name="year_col",
        value_name="tonnes",
    )
    return (
        long.with_columns(
            pl.col("year_col").replace_strict(year_of, return_dtype=pl.Int32).alias("year"),
            (pl.col("tonnes") * factor).alias("tonnes"),
        )
        .select(list(FRAME_SCHEMA))
        .cast(FRAME_SCHEMA)
        .sort("source_row", "year")
    )
