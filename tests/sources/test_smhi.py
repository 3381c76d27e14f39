"""SMHI export: parser on the bundled fixtures, malformed files, and the client via the replay
server."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime

import openpyxl
import polars as pl
import pytest
import requests

from replay.server import Fault, ReplayServer, Response
from replay.smhi import SmhiHandler, xlsx_bytes
from sources.http import (
    BodyTooLarge,
    DeadlineExceeded,
    HttpClient,
    InsecureURL,
    RetryPolicy,
    SourceHTTPError,
)
from sources.smhi import (
    GAS_BY_SUB,
    SmhiClient,
    SmhiDownloadError,
    SmhiFormatError,
    filename_from_disposition,
    gas_for_sub,
    load_reference,
    parse_smhi_excel,
)
from tests.helpers import REPO

PAYLOADS = REPO / "replay" / "payloads" / "smhi"
SEEDS = REPO / "dbt_project" / "seeds"
GGT_2026 = "GGT_2026-06-25.xlsx"
GGT_2025 = "GGT_2026-04-23.xlsx"
CO2_2024 = "CO2_2024-04-18.xlsx"
BORLANGE = "2081"


@pytest.fixture(scope="module")
def reference():
    return load_reference(SEEDS)


_parsed_cache: dict[str, object] = {}


@pytest.fixture(scope="module")
def parsed(reference):
    """Parse a bundled payload once per test module."""

    def get(name: str):
        if name not in _parsed_cache:
            sub = name.split("_")[0]
            _parsed_cache[name] = parse_smhi_excel(
                (PAYLOADS / name).read_bytes(), file_name=name, sub=sub, reference=reference
            )
        return _parsed_cache[name]

    return get


def kommun_rows(frame: pl.DataFrame, kod: str, year: int) -> pl.DataFrame:
    return frame.filter(pl.col("kommun_kod") == kod, pl.col("year") == year)


def sector_sum(frame: pl.DataFrame, kod: str, year: int) -> float:
    rows = kommun_rows(frame, kod, year)
    return rows.filter(pl.col("huvudsektor_raw") != "Alla", pl.col("undersektor_raw") == "Alla")[
        "tonnes"
    ].sum()


def cell(frame: pl.DataFrame, kod: str | None, year: int, huvud: str, under: str = "Alla") -> float:
    area = pl.col("kommun_kod") == kod if kod else pl.col("level") == "riket"
    rows = frame.filter(
        area,
        pl.col("year") == year,
        pl.col("huvudsektor_raw") == huvud,
        pl.col("undersektor_raw") == under,
    )
    assert rows.height == 1, rows
    return rows["tonnes"][0]


# --------------------------------------------------------------------------- real numbers


def test_ggt_2026_borlange_total_and_sectors(parsed):
    p = parsed(GGT_2026)
    assert (p.vintage, p.sub, p.gas, p.unit) == (date(2026, 6, 25), "GGT", "CO2e", "ton CO2-ekv/år")
    assert sector_sum(p.frame, BORLANGE, 2024) == pytest.approx(423_796, abs=1)
    assert cell(p.frame, BORLANGE, 2024, "Alla") == pytest.approx(
        sector_sum(p.frame, BORLANGE, 2024), abs=1
    )
    assert sector_sum(p.frame, BORLANGE, 1990) == pytest.approx(539_459, abs=1)
    expected_2024 = {
        "Industri (energi + processer)": 251_161,
        "Transporter": 78_922,
        "El och fjärrvärme": 46_767,
        "Arbetsmaskiner": 22_084,
        "Jordbruk": 12_373,
        "Produktanvändning (inkl. lösningsmedel)": 5_447,
        "Avfall (inkl.avlopp)": 5_355,
        "Egen uppvärmning av bostäder och lokaler": 1_642,
        "Utrikes transporter": 45,
    }
    for sector, tonnes in expected_2024.items():
        assert cell(p.frame, BORLANGE, 2024, sector) == pytest.approx(tonnes, abs=1), sector


def test_ggt_2026_has_no_2016_to_2019(parsed):
    p = parsed(GGT_2026)
    assert p.years == (1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024)
    assert set(p.frame["year"].unique()) == set(p.years)


def test_ggt_2025_release_total_and_gap_years(parsed):
    p = parsed(GGT_2025)
    assert p.vintage == date(2026, 4, 23)
    assert sector_sum(p.frame, BORLANGE, 2023) == pytest.approx(407_955, abs=1)
    assert sector_sum(p.frame, BORLANGE, 2016) == pytest.approx(454_502, abs=1)
    assert cell(p.frame, BORLANGE, 2016, "Alla") == pytest.approx(454_502, abs=1)
    assert max(p.years) == 2023 and {2016, 2017, 2018, 2019} <= set(p.years)


def test_co2_2024_subsectors_and_total(parsed):
    p = parsed(CO2_2024)
    assert (p.vintage, p.gas, p.unit, p.sheet) == (
        date(2024, 4, 18),
        "CO2",
        "ton/år",
        "Koldioxid (CO2)",
    )
    assert p.report_name == "Länsrapport, 2024-04-18"
    assert cell(p.frame, BORLANGE, 2022, "Transporter", "Personbilar") == pytest.approx(
        38_098, abs=1
    )
    assert cell(p.frame, BORLANGE, 2022, "Transporter", "Järnväg") == pytest.approx(4_582, abs=1)
    assert cell(p.frame, BORLANGE, 1990, "Alla") == pytest.approx(499_382, abs=1)
    # sector names stay raw, including SMHI's own typos
    assert "Egen uppärmning av bostäder och lokaler" in set(p.frame["huvudsektor_raw"])


@pytest.mark.parametrize("name", [GGT_2026, GGT_2025, CO2_2024])
def test_every_file_has_290_kommuner_and_the_documented_schema(parsed, name):
    frame = parsed(name).frame
    assert frame.filter(pl.col("level") == "kommun")["kommun_kod"].n_unique() == 290
    assert frame.filter(pl.col("level") == "lan")["lan_kod"].n_unique() == 21
    assert frame.schema == pl.Schema(
        {
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
    )
    assert (
        frame.filter(pl.col("level") == "riket")["lan_kod"].null_count()
        == frame.filter(pl.col("level") == "riket").height
    )
    assert frame.filter(pl.col("kommun_kod") == "0114")["kommun_namn_raw"].unique().to_list() == [
        "Upplands Väsby"
    ]


def test_header_detection_for_3_and_4_row_preambles(parsed):
    assert parsed(GGT_2026).header_row == 6  # 4-row preamble: Rapportnamn, title, Enhet, blank
    assert parsed(GGT_2025).header_row == 5  # 3-row preamble, no blank row
    assert parsed(CO2_2024).header_row == 6


def test_source_row_points_at_the_excel_row(parsed):
    p = parsed(GGT_2026)
    first = p.frame.filter(pl.col("source_row") == p.frame["source_row"].min())
    assert first["source_row"][0] == p.header_row + 1
    assert first["level"][0] == "riket" and first["huvudsektor_raw"][0] == "Alla"


# --------------------------------------------------------------------------- malformed files


def payload_rows(name: str) -> list[list]:
    wb = openpyxl.load_workbook(PAYLOADS / name, read_only=True)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


@pytest.fixture(scope="module")
def dalarna_rows():
    """The 2026 GGT fixture cut to Sweden and Dalarna: same layout, fast to rebuild."""
    rows = payload_rows(GGT_2026)
    header = next(i for i, r in enumerate(rows) if r[0] == "Huvudsektor")
    return rows[: header + 1] + [r for r in rows[header + 1 :] if r[2] in ("Alla", "Dalarnas län")]


def build(rows: list[list]) -> bytes:
    return xlsx_bytes("Växthusgaser totalt (CO2-ekv.)", rows, created=datetime(2026, 6, 25))


def index_of(rows, huvud, kommun, lan="Dalarnas län") -> int:
    return next(i for i, r in enumerate(rows) if (r[0], r[2], r[3]) == (huvud, lan, kommun))


def _rename_label(rows):
    rows[5][0] = "Sektor"
    return 6, "A", "Sektor"


def _unknown_sector(rows):
    i = index_of(rows, "Transporter", "Borlänge")
    rows[i][0] = "Transportsektorn"
    return i + 1, "A", "Transportsektorn"


def _unknown_kommun(rows):
    i = index_of(rows, "Jordbruk", "Borlänge")
    rows[i][3] = "Borlängé by"
    return i + 1, "D", "Borlängé by"


def _unknown_lan(rows):
    i = index_of(rows, "Alla", "Alla")
    rows[i][2] = "Dalarna län"
    return i + 1, "C", "Dalarna län"


def _text_in_number(rows):
    i = index_of(rows, "Transporter", "Borlänge")
    rows[i][5] = "n/a"
    return i + 1, "F", "n/a"


def _negative(rows):
    i = index_of(rows, "Industri (energi + processer)", "Falun")
    rows[i][13] = -12.5
    return i + 1, "N", -12.5


def _empty_cell(rows):
    i = index_of(rows, "Industri (energi + processer)", "Falun")
    rows[i][6] = None
    return i + 1, "G", None


def _duplicate(rows):
    i = index_of(rows, "Jordbruk", "Borlänge")
    rows.append(list(rows[i]))
    return len(rows), "A", "Jordbruk | Alla | Dalarnas län | Borlänge"


def _not_a_year(rows):
    rows[4][6] = "år 2005"
    return 5, "G", "år 2005"


def _unknown_unit(rows):
    rows[2][0] = "Enhet: ton CO2-ekv/invånare"
    return 3, "A", "ton CO2-ekv/invånare"


def _wrong_substance(rows):
    rows[5][4] = "CO2"
    return 6, "E", "CO2"


MALFORMED = [
    _rename_label,
    _unknown_sector,
    _unknown_kommun,
    _unknown_lan,
    _text_in_number,
    _negative,
    _empty_cell,
    _duplicate,
    _not_a_year,
    _unknown_unit,
    _wrong_substance,
]


@pytest.mark.parametrize("mutate", MALFORMED, ids=[m.__name__.strip("_") for m in MALFORMED])
def test_malformed_file_names_sheet_row_and_value(reference, dalarna_rows, mutate):
    rows = [list(r) for r in dalarna_rows]
    row, column, value = mutate(rows)
    with pytest.raises(SmhiFormatError) as info:
        parse_smhi_excel(build(rows), file_name="bad.xlsx", sub="GGT", reference=reference)
    err = info.value
    assert (err.file_name, err.sheet, err.row, err.column) == (
        "bad.xlsx",
        "Växthusgaser totalt (CO2-ekv.)",
        row,
        column,
    )
    assert err.value == value
    message = str(err)
    assert message.startswith(
        f"bad.xlsx, sheet 'Växthusgaser totalt (CO2-ekv.)', row {row}, column {column}: "
    )
    assert ("empty cell" if value is None else repr(value)) in message
    assert "expected" in message


def test_no_header_anywhere_is_reported(reference):
    content = build(
        [["Rapportnamn:", "Länsrapport, 2026-06-25"], ["Enhet: ton/år"], ["nothing here"]]
    )
    with pytest.raises(SmhiFormatError, match="Huvudsektor"):
        parse_smhi_excel(content, file_name="empty.xlsx", sub="GGT", reference=reference)


def test_alias_maps_falu_kommun_to_2080(reference, dalarna_rows):
    rows = [list(r) for r in dalarna_rows]
    for r in rows:
        if r[3] == "Falun":
            r[3] = "Falu kommun"
    p = parse_smhi_excel(build(rows), file_name="alias.xlsx", sub="GGT", reference=reference)
    assert p.frame.filter(pl.col("kommun_namn_raw") == "Falu kommun")[
        "kommun_kod"
    ].unique().to_list() == ["2080"]
    assert reference.kommun_code("  falun ") == "2080"
    assert reference.kommun_code("Region Gotland") == "0980"
    assert reference.lan_code("dalarnas län") == "20"


def test_kiloton_unit_is_scaled_to_tonnes(reference, dalarna_rows):
    rows = [list(r) for r in dalarna_rows]
    rows[2][0] = "Enhet: kton/år"
    p = parse_smhi_excel(build(rows), file_name="kton.xlsx", sub="GGT", reference=reference)
    assert sector_sum(p.frame, BORLANGE, 2024) == pytest.approx(423_796_000, abs=1000)


def test_data_sheet_is_found_after_another_sheet(reference, dalarna_rows):
    wb = openpyxl.Workbook()
    wb.active.title = "Info"
    wb.active.append(["Om rapporten"])
    ws = wb.create_sheet("Data")
    for r in dalarna_rows:
        ws.append(list(r))
    buffer = io.BytesIO()
    wb.save(buffer)
    p = parse_smhi_excel(buffer.getvalue(), file_name="two.xlsx", sub="GGT", reference=reference)
    assert (
        p.sheet == "Data"
        and p.frame.filter(pl.col("level") == "kommun")["kommun_kod"].n_unique() == 15
    )


def test_unknown_sub_is_a_value_error():
    assert GAS_BY_SUB == {"GGT": "CO2e", "CO2": "CO2"}
    with pytest.raises(ValueError, match="NOX"):
        gas_for_sub("NOX")


def test_seeds_keep_codes_as_text(reference):
    assert len(reference.kommun_names) == 290 and len(reference.lan_names) == 21
    assert reference.kommun_names["0114"] == "Upplands Väsby"
    assert (
        reference.sector("huvudsektor", "Egen uppärmning av bostäder och lokaler").sector_code
        == "own_heating"
    )
    assert reference.sector("undersektor", "Personbilar").sector_code == "transport.cars"


# --------------------------------------------------------------------- client via the replay server


@pytest.fixture
def replay():
    handler = SmhiHandler()
    with ReplayServer([handler]) as server:
        yield server, handler


def smhi_client(server: ReplayServer, max_attempts: int = 3) -> SmhiClient:
    http = HttpClient(
        server.url,
        retry=RetryPolicy(max_attempts=max_attempts, backoff_base_s=0.01),
        sleep=lambda _seconds: None,
    )
    return SmhiClient(server.url, http)


DOWNLOAD = "/api/getexcelfile/"


def test_download_round_trips_bytes_and_sha256(replay):
    server, _ = replay
    dl = smhi_client(server).download("GGT")
    expected = (PAYLOADS / GGT_2026).read_bytes()
    assert dl.content == expected
    assert dl.sha256 == hashlib.sha256(expected).hexdigest()
    assert dl.url == f"{server.url}{DOWNLOAD}?county=0&municipality=0&sub=GGT"
    assert dl.params == {"county": "0", "municipality": "0", "sub": "GGT"}
    assert dl.filename == GGT_2026
    assert dl.content_type.startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert dl.fetched_at.tzinfo == UTC


def test_co2_download(replay):
    server, _ = replay
    assert smhi_client(server).download("CO2").content == (PAYLOADS / CO2_2024).read_bytes()


def test_429_with_retry_after_is_retried(replay):
    server, _ = replay
    server.add_fault(Fault(DOWNLOAD, status=429, retry_after="0"))
    dl = smhi_client(server).download("GGT")
    assert dl.content == (PAYLOADS / GGT_2026).read_bytes()
    assert server.count(DOWNLOAD) == 2


def test_persistent_500_ends_in_source_http_error_naming_the_url(replay):
    server, _ = replay
    server.add_fault(Fault(DOWNLOAD, status=500, times=10))
    client = smhi_client(server, max_attempts=3)
    with pytest.raises(SourceHTTPError) as info:
        client.download("GGT")
    url = f"{server.url}{DOWNLOAD}?county=0&municipality=0&sub=GGT"
    assert url in str(info.value) and info.value.url == url
    assert info.value.status == 500 and server.count(DOWNLOAD) == 3


def test_truncated_body_is_retried(replay):
    server, _ = replay
    server.add_fault(Fault(DOWNLOAD, truncate_to=1000))
    dl = smhi_client(server).download("GGT")
    assert dl.content == (PAYLOADS / GGT_2026).read_bytes()
    assert server.count(DOWNLOAD) == 2


def test_county_filter_returns_only_that_lan(replay, reference):
    server, _ = replay
    dl = smhi_client(server).download("GGT", county="20")
    assert dl.filename == "GGT_2026-06-25_county20.xlsx"
    p = parse_smhi_excel(dl.content, file_name=dl.filename, sub="GGT", reference=reference)
    assert set(p.frame["level"]) == {"lan", "kommun"}
    assert set(p.frame["lan_kod"]) == {"20"}
    assert p.frame["kommun_kod"].drop_nulls().n_unique() == 15
    assert sector_sum(p.frame, BORLANGE, 2024) == pytest.approx(423_796, abs=1)
    assert (
        smhi_client(server).download("GGT", county="20").content == dl.content
    )  # cached, same bytes


def test_release_can_be_switched_over_http_and_in_process(replay):
    server, handler = replay
    assert handler.release == "2026-06-25"
    resp = requests.post(
        f"{server.url}/__replay/smhi/release", json={"release": "2026-04-23"}, timeout=5
    )
    assert resp.status_code == 200 and resp.json()["release"] == "2026-04-23"
    dl = smhi_client(server).download("GGT")
    assert dl.content == (PAYLOADS / GGT_2025).read_bytes()
    bad = requests.post(
        f"{server.url}/__replay/smhi/release", json={"release": "1999-01-01"}, timeout=5
    )
    assert bad.status_code == 400
    handler.release = "2026-06-25"
    assert smhi_client(server).download("GGT").filename == GGT_2026


def test_unknown_sub_and_county_are_rejected(replay):
    server, _ = replay
    http = HttpClient(server.url, retry=RetryPolicy(max_attempts=1), sleep=lambda _s: None)
    assert http.request("GET", f"{DOWNLOAD}?county=0&municipality=0&sub=XYZ").status_code == 400
    with pytest.raises(ValueError):
        smhi_client(server).download("XYZ")
    with pytest.raises(SmhiDownloadError, match=r"county=99.*HTTP 400"):
        smhi_client(server).download("GGT", county="99")
    assert http.request("GET", "/api/other").status_code == 404


def test_a_200_that_is_not_a_workbook_is_an_error():
    def html(req):
        return (
            Response(200, {"Content-Type": "text/html"}, b"<html>maintenance</html>")
            if req.path == DOWNLOAD
            else None
        )

    with ReplayServer([html]) as server:
        with pytest.raises(SmhiDownloadError) as info:
            smhi_client(server).download("GGT")
    assert info.value.url.endswith("?county=0&municipality=0&sub=GGT") and "text/html" in str(
        info.value
    )


def test_filename_from_content_disposition():
    assert filename_from_disposition('attachment; filename="a b.xlsx"', "d.xlsx") == "a b.xlsx"
    assert (
        filename_from_disposition("attachment; filename*=UTF-8''L%C3%A4n.xlsx", "d.xlsx")
        == "Län.xlsx"
    )
    assert filename_from_disposition("attachment; filename=../../etc.xlsx", "d.xlsx") == "etc.xlsx"
    assert filename_from_disposition(None, "smhi_GGT.xlsx") == "smhi_GGT.xlsx"


# ------------------------------------------------------------------------- limits (sources/http.py)


def test_a_workbook_over_the_body_limit_is_refused_without_a_retry(replay):
    """The 2026 whole-country workbook is 292 704 bytes: under a 100 000-byte limit the download
    fails on its first attempt, naming the URL and the limit."""
    server, _ = replay
    http = HttpClient(
        server.url,
        retry=RetryPolicy(max_attempts=3, backoff_base_s=0.01),
        sleep=lambda _s: None,
        max_body_bytes=100_000,
    )
    with pytest.raises(BodyTooLarge) as info:
        SmhiClient(server.url, http).download("GGT")
    url = f"{server.url}{DOWNLOAD}?county=0&municipality=0&sub=GGT"
    assert info.value.url == url and url in str(info.value)
    assert f"announces {(PAYLOADS / GGT_2026).stat().st_size} bytes" in str(info.value)
    assert "limit of 100000 bytes" in str(info.value)
    assert server.count(DOWNLOAD) == 1


def test_the_default_body_limit_fits_the_largest_bundled_workbook(replay):
    server, _ = replay
    dl = smhi_client(server).download("CO2")
    assert len(dl.content) == (PAYLOADS / CO2_2024).stat().st_size > 2_000_000
    assert len(dl.content) * 10 < smhi_client(server).http.max_body_bytes


def test_a_slow_export_past_the_deadline_ends_the_download(replay):
    server, _ = replay
    server.add_fault(Fault(DOWNLOAD, delay_s=3.0, times=3))
    http = HttpClient(
        server.url,
        timeout=(2.0, 60.0),
        retry=RetryPolicy(max_attempts=3, backoff_base_s=0.01),
        sleep=lambda _s: None,
        deadline_s=1.0,
    )
    with pytest.raises(DeadlineExceeded, match=r"within the 1 s deadline \(attempt 1\)"):
        SmhiClient(server.url, http).download("GGT")
    assert server.count(DOWNLOAD) <= 1


def test_plain_http_to_smhi_is_refused():
    with pytest.raises(InsecureURL, match="nationellaemissionsdatabasen"):
        SmhiClient("http://nationellaemissionsdatabasen.smhi.se")
