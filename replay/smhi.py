"""Replay of SMHI Nationella emissionsdatabasen's Excel download.

Serves `GET /api/getexcelfile/?county=..&municipality=..&sub=..` from the workbooks in
`replay/payloads/smhi/` (built by `python -m replay.build_smhi_payloads`). `sub=GGT`
serves the selected release (`handler.release`, or `POST /__replay/smhi/release` with
`{"release": "2026-04-23"}`), `sub=CO2` the CO2 export. A county (and municipality)
filter returns a workbook cut down to that län (kommun), built on first use and cached.

`replay/payloads/smhi_rebuilt/` holds releases rebuilt from Klimatbyrån's output of them
(`python -m replay.build_nowcast_payloads`; its MANIFEST.json says what each is). They are
served only when selected: `POST /__replay/smhi/release` with `{"sub": "CO2", "release":
"2025-06-18"}`, or `handler.select("CO2", "2025-06-18")`. Without a selection a sub other
than GGT gets its newest file in `replay/payloads/smhi/`.

The same rebuilt releases are also served, with SMHI's own protocol, under the base URL
`<server>/archive` (`GET /archive/api/getexcelfile/?sub=CO2`: the newest rebuilt release of the
sub): the archive of releases the warehouse did not download itself when they were current, which
the nowcast's backtest loads into a raw table of its own (SMHI_ARCHIVE_BASE_URL), never into the
SMHI tables the marts publish.
"""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.writer.excel import ExcelWriter

from replay.server import Request, Response
from sources.smhi import ALLA, LABELS, XLSX_CONTENT_TYPE, SmhiReference, load_reference

PAYLOAD_DIR = Path(__file__).resolve().parent / "payloads" / "smhi"
REBUILT_DIR = Path(__file__).resolve().parent / "payloads" / "smhi_rebuilt"
SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
DOWNLOAD_PATHS = ("/api/getexcelfile/", "/api/getexcelfile")
ARCHIVE_PREFIX = "/archive"
ARCHIVE_PATHS = tuple(ARCHIVE_PREFIX + path for path in DOWNLOAD_PATHS)
RELEASE_PATH = "/__replay/smhi/release"
_PAYLOAD_NAME_RE = re.compile(r"^(?P<sub>[A-Z0-9]+)_(?P<date>\d{4}-\d{2}-\d{2})\.xlsx$")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- writing workbooks


def xlsx_bytes(
    sheet_name: str,
    rows: Iterable[Iterable],
    *,
    created: datetime,
    creator: str = "replay.build_smhi_payloads",
    description: str | None = None,
) -> bytes:
    """A style-free workbook with one sheet; the same rows give the same bytes."""
    # Not write_only: that mode omits <dimension>, and read-only readers then parse the sheet twice.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_name
    for row in rows:
        ws.append(list(row))
    wb.properties.creator = creator
    if description is not None:
        wb.properties.description = description
    wb.properties.created = wb.properties.modified = created
    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save() stamps `modified` with the wall clock.
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite the zip with a constant timestamp on every entry (zip stores local mtimes)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename), compresslevel=9)
    return out.getvalue()


def payload_date(path: Path) -> date:
    match = _PAYLOAD_NAME_RE.match(path.name)
    if match is None:
        raise ValueError(f"{path.name}: expected a payload named <SUB>_<YYYY-MM-DD>.xlsx")
    return date.fromisoformat(match["date"])


def discover_payloads(payload_dir: Path) -> dict[str, dict[str, Path]]:
    """{sub: {release date: path}} for the `<SUB>_<date>.xlsx` files in `payload_dir`."""
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(Path(payload_dir).glob("*.xlsx")):
        match = _PAYLOAD_NAME_RE.match(path.name)
        if match:
            found.setdefault(match["sub"], {})[match["date"]] = path
    return found


# --------------------------------------------------------------------------- area filter


def _area_codes(row: tuple, reference: SmhiReference) -> tuple[str | None, str | None]:
    lan, kommun = row[2], row[3]
    lan_kod = None if lan == ALLA else reference.lan_code(lan)
    kommun_kod = None if kommun == ALLA else reference.kommun_code(kommun)
    return lan_kod, kommun_kod


def filter_workbook(
    content: bytes,
    reference: SmhiReference,
    *,
    county: str | None,
    municipality: str | None,
    created: datetime,
) -> bytes:
    """The workbook with only the data rows of one län (and its kommuner) or one kommun."""
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        kept: list[tuple] = []
        in_data = False
        for row in ws.iter_rows(values_only=True):
            if not in_data:
                kept.append(row)
                in_data = row[0] == LABELS[0]
                continue
            lan_kod, kommun_kod = _area_codes(row, reference)
            if municipality is not None:
                keep = kommun_kod == municipality
            else:
                keep = lan_kod == county
            if keep:
                kept.append(row)
        sheet = ws.title
    finally:
        wb.close()
    return xlsx_bytes(sheet, kept, created=created)


def _normalise_code(value: str | None, width: int) -> str | None:
    """'0', '00' or '' mean 'all'; otherwise a zero-padded code. ValueError for non-digits."""
    value = (value or "").strip()
    if not value.isdigit():
        if value:
            raise ValueError(value)
        return None
    return None if int(value) == 0 else f"{int(value):0{width}d}"


# --------------------------------------------------------------------------- handler


class SmhiHandler:
    """Callable handler for ReplayServer: `handler(request) -> Response | None`."""

    def __init__(
        self,
        payload_dir: Path = PAYLOAD_DIR,
        *,
        release: str | None = None,
        seeds_dir: Path = SEEDS_DIR,
        rebuilt_dir: Path | None = REBUILT_DIR,
    ):
        self.payload_dir = Path(payload_dir)
        self.seeds_dir = Path(seeds_dir)
        self.payloads = discover_payloads(self.payload_dir)
        # Rebuilt releases are served only when selected (select()), never by default.
        self.rebuilt = discover_payloads(rebuilt_dir) if rebuilt_dir is not None else {}
        self.selected: dict[str, str] = {}
        if not self.payloads.get("GGT"):
            raise FileNotFoundError(
                f"no GGT_<date>.xlsx in {self.payload_dir}; run python -m "
                "replay.build_smhi_payloads"
            )
        self._release = ""
        self.release = release or self.releases()[-1]
        self._cache: dict[tuple, bytes] = {}
        self._lock = threading.Lock()
        self._reference: SmhiReference | None = None

    def releases(self, sub: str = "GGT") -> list[str]:
        return sorted(self.payloads.get(sub, {}))

    def available(self, sub: str) -> list[str]:
        """Every release of `sub` that can be selected, rebuilt ones included."""
        return sorted({*self.payloads.get(sub, {}), *self.rebuilt.get(sub, {})})

    def select(self, sub: str, release: str) -> None:
        """Serve `release` for `sub` from now on (GGT: the same as setting `release`)."""
        sub = sub.upper()
        if sub == "GGT":
            self.release = release
            return
        if release not in self.available(sub):
            raise ValueError(f"unknown {sub} release {release!r}; available: {self.available(sub)}")
        self.selected[sub] = release

    @property
    def release(self) -> str:
        return self._release

    @release.setter
    def release(self, value: str) -> None:
        if value not in self.payloads["GGT"]:
            raise ValueError(f"unknown GGT release {value!r}; available: {self.releases()}")
        self._release = value

    def __call__(self, req: Request) -> Response | None:
        if req.path == RELEASE_PATH:
            return self._release_endpoint(req)
        archive = req.path in ARCHIVE_PATHS
        if req.path not in DOWNLOAD_PATHS and not archive:
            return None
        if req.method != "GET":
            return Response.text("Method not allowed", 405)  # unverified: SMHI's answer to POST
        return self._download(req, archive=archive)

    def _release_endpoint(self, req: Request) -> Response:
        sub = "GGT"
        if req.method == "POST":
            try:
                body = json.loads(req.body or b"{}")
                sub = str(body.get("sub") or "GGT").upper()
                self.select(sub, body["release"])
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                return Response.json(
                    {"ok": False, "error": str(exc), "available": self.available(sub)}, 400
                )
        if sub != "GGT":
            return Response.json(
                {
                    "ok": True,
                    "sub": sub,
                    "release": self.selected[sub],
                    "available": self.available(sub),
                }
            )
        return Response.json({"ok": True, "release": self.release, "available": self.releases()})

    def payload_path(self, sub: str) -> Path | None:
        """The file served for `sub`: its selected release; else GGT's `release`, or the newest
        file of another sub in the payload folder."""
        if sub in self.selected:
            chosen = self.selected[sub]
            return self.payloads.get(sub, {}).get(chosen) or self.rebuilt[sub][chosen]
        files = self.payloads.get(sub)
        if not files:
            return None
        return files[self.release] if sub == "GGT" else files[sorted(files)[-1]]

    def archived_path(self, sub: str) -> Path | None:
        """The file the archive serves for `sub`: its newest rebuilt release."""
        files = self.rebuilt.get(sub)
        return files[sorted(files)[-1]] if files else None

    def _download(self, req: Request, *, archive: bool = False) -> Response:
        sub = (req.arg("sub") or "").strip().upper()  # unverified: whether SMHI ignores case
        path = self.archived_path(sub) if archive else self.payload_path(sub)
        if path is None:
            # unverified: SMHI's real answer to an unknown or unrecorded sub; 400 is our choice.
            return Response.text(f"Unknown sub {sub!r}", 400)
        try:
            county = _normalise_code(req.arg("county", "0"), 2)
            municipality = _normalise_code(req.arg("municipality", "0"), 4)
        except ValueError as exc:
            return Response.text(f"Invalid county or municipality {exc}", 400)  # unverified
        problem = self._check_area(county, municipality)
        if problem:
            return Response.text(problem, 400)  # unverified: SMHI may answer an empty workbook
        body = self._body(path, county, municipality)
        return Response(
            200,
            {
                "Content-Type": XLSX_CONTENT_TYPE,
                # unverified: the file name SMHI sends; ours names sub, release and area.
                "Content-Disposition": "attachment; "
                f'filename="{_download_name(path, county, municipality)}"',
            },
            body,
        )

    def _check_area(self, county: str | None, municipality: str | None) -> str:
        if county is None and municipality is None:
            return ""
        reference = self._load_reference()
        if county is not None and county not in reference.lan_names:
            return f"Unknown county {county}"
        if municipality is not None and municipality not in reference.kommun_names:
            return f"Unknown municipality {municipality}"
        if county and municipality and reference.lan_of_kommun[municipality] != county:
            return f"Municipality {municipality} is not in county {county}"
        return ""

    def _load_reference(self) -> SmhiReference:
        with self._lock:
            if self._reference is None:
                self._reference = load_reference(self.seeds_dir)
            return self._reference

    def _body(self, path: Path, county: str | None, municipality: str | None) -> bytes:
        key = (path, county, municipality)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        whole = self._cache.get((path, None, None)) or path.read_bytes()
        if county is None and municipality is None:
            body = whole
        else:
            created = datetime.combine(payload_date(path), datetime.min.time())
            body = filter_workbook(
                whole,
                self._load_reference(),
                county=county,
                municipality=municipality,
                created=created,
            )
        with self._lock:
            self._cache[key] = body
        return body


def _download_name(path: Path, county: str | None, municipality: str | None) -> str:
    area = "".join(
        f"_{label}{code}"
        for label, code in (("county", county), ("municipality", municipality))
        if code is not None
    )
    return f"{path.stem}{area}{path.suffix}"
