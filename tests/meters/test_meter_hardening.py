"""Issue 21's meter feed items as families (8-15 and 3): hostile values, dates, offsets, encodings,
compressed and sparse files, crash leftovers. Each refusal names the file, the row and the field
where there is one; nothing raises."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.cli import main as borlange
from pipelines.defs.meters.loads import NORMALISED, SOURCE, WORK
from pipelines.settings import DEMO_METER_PSEUDONYM_KEY, Settings
from sources.meter_feed import contract as C
from sources.meter_feed.validate import validate_file, validate_path
from tests.helpers.meter_files import COLUMNS, kwh_text, write_csv, write_parquet
from tests.meters.test_meter_feed import KEY, drop_meter_file, small, store_of

TODAY = date(2026, 12, 7)  # issue 21's day: 2026-11 is the last month that has ended
MONTH = date(2025, 6, 1)


@pytest.fixture
def meter_settings(tmp_path) -> Settings:
    return Settings.from_env(
        {
            "WAREHOUSE_PATH": str(tmp_path / "wh" / "borlange.duckdb"),
            "LANDING_DIR": str(tmp_path / "wh" / "landing"),
            "INBOX_DIR": str(tmp_path / "inbox"),
            "INBOX_SETTLE_SECONDS": "0",
            "METER_LAKE_ROOT": str(tmp_path / "lake"),
            "METER_PSEUDONYM_KEY": DEMO_METER_PSEUDONYM_KEY,
        }
    )


def typed_parquet(path, values, column: str, array: pa.Array):
    """`values` as Parquet with `column` replaced by a typed array (the other columns as text)."""
    table = pa.table({c: [r.get(c) for r in values] for c in COLUMNS if c != "kwh"})
    table = table.append_column(
        "kwh", pa.array([kwh_text(r["wh"]).replace(",", ".") for r in values])
    )
    table = table.set_column(table.schema.get_field_index(column), column, array)
    pq.write_table(table, path)
    return path


def named(result, code: str):
    """The problems of one code; each names the file."""
    found = [p for p in result.problems if p.code == code]
    assert found and all(p.file == result.file for p in found), (code, result.report())
    return found


# --------------------------------------------------------------------------- item 8: kWh overflow


@pytest.mark.parametrize(
    "kind, bad, code",
    [
        ("int64", 2**61 + 1, "kwh_out_of_range"),  # wrapped to 1 kWh before
        ("int64", -(2**61 + 1), "kwh_out_of_range"),  # wrapped to +1 kWh, passing the sign check
        ("int64", 2**63 - 1, "kwh_out_of_range"),
        ("int64", -(2**63), "kwh_out_of_range"),
        ("uint64", 2**64 - 1, "kwh_out_of_range"),
        ("int32", 2**31 - 1, "implausible_value"),  # read exactly, then judged by its category
        ("float64", 1e300, "kwh_out_of_range"),
        ("float64", -1e15, "kwh_out_of_range"),
        ("float64", float("inf"), "invalid_kwh"),
        ("float64", float("nan"), "invalid_kwh"),
        ("decimal", Decimal("12345678901234567890.125"), "kwh_out_of_range"),
    ],
)
def test_kwh_beyond_any_meter_is_refused_never_wrapped(tmp_path, kind, bad, code):
    values = small(MONTH, count=2)
    good = [r["wh"] // 1000 for r in values]  # whole kWh, every type can hold them
    wanted = [*good[:4], bad, *good[5:]]
    array = {
        "int64": lambda: pa.array(wanted, pa.int64()),
        "uint64": lambda: pa.array(wanted, pa.uint64()),
        "int32": lambda: pa.array(wanted, pa.int32()),
        "float64": lambda: pa.array(wanted, pa.float64()),
        "decimal": lambda: pa.array([Decimal(v) for v in wanted], pa.decimal128(38, 3)),
    }[kind]()
    out = tmp_path / "rows.parquet"
    result = validate_file(
        typed_parquet(tmp_path / f"el_{kind}.parquet", values, "kwh", array),
        out_path=out,
        key=KEY,
        today=TODAY,
    )
    assert not result.ok
    (problem,) = named(result, code)
    assert (problem.row, problem.column) == (5, "kwh")  # the Parquet's 1-based row
    assert set(result.counts) == {code}  # nothing else: not a negative, not an implausible value
    assert "row 5, field kwh" in result.report()


def test_null_kwh_in_a_typed_column_is_a_missing_value(tmp_path):
    values = small(MONTH, count=1)
    array = pa.array(
        [None if i == 2 else r["wh"] // 1000 for i, r in enumerate(values)], pa.int64()
    )
    result = validate_path(
        typed_parquet(tmp_path / "nulls.parquet", values, "kwh", array), today=TODAY
    )
    (problem,) = named(result, "missing_value")
    assert (problem.row, problem.column) == (3, "kwh")


def test_the_largest_kwh_the_contract_allows_is_exact(tmp_path):
    values = small(MONTH, count=1)
    values[0]["wh"] = C.MAX_KWH * 1000 + 999
    out = tmp_path / "rows.parquet"
    result = validate_file(
        write_csv(tmp_path / "big.csv", values), out_path=out, key=KEY, today=TODAY
    )
    assert set(result.counts) == {"implausible_value"}  # read exactly, then judged by its category
    assert result.problems[0].row == 3


# --------------------------------------------------------------------------- item 9: months


@pytest.mark.parametrize(
    "month, code",
    [
        (date(1970, 1, 1), "start_out_of_range"),
        (date(1999, 12, 1), "start_out_of_range"),
        (date(2018, 12, 1), "month_out_of_range"),
        (date(2026, 12, 1), "month_out_of_range"),  # the month under way: no partition yet
        (date(2027, 1, 1), "month_out_of_range"),
        (date(2099, 1, 1), "month_out_of_range"),
    ],
)
def test_a_month_outside_the_partitions_is_refused(tmp_path, month, code):
    result = validate_path(
        write_csv(tmp_path / f"el_{month:%Y-%m}.csv", small(month, count=1)), today=TODAY
    )
    assert not result.ok and code in result.counts
    problem = named(result, code)[0]
    assert problem.row == 3 and problem.column == "start"


@pytest.mark.parametrize("month", [C.FIRST_MONTH, date(2026, 11, 1)])
def test_the_first_and_the_newest_month_are_accepted(tmp_path, month):
    result = validate_path(write_csv(tmp_path / "el.csv", small(month, count=1)), today=TODAY)
    assert result.ok, result.report()


def test_the_partitions_and_the_contract_agree_on_the_months():
    from pipelines.defs.meters.assets import MONTHS

    keys = MONTHS.get_partition_keys(current_time=datetime(2026, 12, 7, 12, tzinfo=UTC))
    assert keys[0] == f"{C.FIRST_MONTH:%Y-%m-%d}"
    assert keys[-1] == f"{C.last_month(TODAY):%Y-%m-%d}"


@pytest.mark.parametrize("month_dir", ["1970-01", "2099-01", "garbage", "2024-13"])
def test_the_sensor_survives_a_marker_for_an_unknown_month(meter_settings, month_dir):
    import dagster as dg

    from pipelines.defs.meters.assets import meter_inbox_sensor
    from pipelines.defs.meters.loads import ACCEPTED, SOURCE
    from pipelines.resources import resources_for

    good = date(2025, 1, 1)
    assert drop_meter_file(meter_settings, "el_2025-01.csv", small(good, count=1)).accepted
    # A marker that an older version accepted, or that someone put there by hand.
    marker_dir = meter_settings.warehouse.landing_dir / SOURCE / ACCEPTED / "el" / month_dir
    marker_dir.mkdir(parents=True)
    (marker_dir / "00000099_abc.json").write_text(
        json.dumps({"sha256": "0" * 64, "file_name": "x.csv", "is_synthetic": True}), "utf-8"
    )
    resources = resources_for(meter_settings)
    with dg.build_sensor_context(resources=resources) as context:
        answer = meter_inbox_sensor(context)
    requests = answer if isinstance(answer, list) else [answer]
    assert [r.partition_key for r in requests] == ["2025-01-01"]  # the known month still runs


# --------------------------------------------------------------------------- item 10: far dates


def restarted(values, starts: dict[int, str]) -> list[dict]:
    changed = [dict(r) for r in values]
    for index, start in starts.items():
        changed[index]["start"] = start
    return changed


FAR_STARTS = [
    "9999-12-31T23:00Z",
    "9999-12-31T23:00",
    "9999-12-31T23:00+14:00",
    "0001-01-01T00:00",
    "0001-01-01T00:00-12:00",
    "0000-01-01T00:00",
    "2024-02-30T00:00",  # no such day
    "2023-02-29T00:00",
    "2025-06-01T24:00",
    "2025-13-01T00:00",
]


@pytest.mark.parametrize("kind", ["csv", "csv.gz", "parquet"])
def test_far_and_impossible_starts_are_row_problems_in_the_cli(tmp_path, capsys, kind):
    values = restarted(small(MONTH, count=2), {5 + i: s for i, s in enumerate(FAR_STARTS)})
    path = tmp_path / f"far.{kind}"
    (write_parquet if kind == "parquet" else write_csv)(path, values)
    assert borlange(["validate", "meters", str(path), "--json"]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    report = json.loads(out.out)  # one file: one report
    first_row = 6 if kind == "parquet" else 8  # Parquet's 1-based row; CSV's line (comment, header)
    flagged = {
        p["row"]: p["code"]
        for p in report["problems"]
        if p["code"] in ("start_out_of_range", "invalid_start")
    }
    assert sorted(flagged) == list(range(first_row, first_row + len(FAR_STARTS)))
    assert set(flagged.values()) == {"start_out_of_range", "invalid_start"}
    assert report["month"] == "2025-06"  # the good rows still say which month it is


@pytest.mark.parametrize("unit", ["s", "ms", "us"])
@pytest.mark.parametrize("zone", [None, "UTC", "Europe/Stockholm"])
@pytest.mark.parametrize(
    "far", [datetime(1, 1, 1), datetime(9999, 12, 31, 23), datetime(1999, 12, 31, 12)]
)
def test_far_parquet_timestamps_are_row_problems(tmp_path, unit, zone, far):
    values = small(MONTH, count=1)
    moments = [datetime.fromisoformat(r["start"]) - timedelta(hours=1) for r in values]  # UTC
    if zone is None:
        moments = [m + timedelta(hours=1) for m in moments]  # naive: normal time
    else:
        moments = [m.replace(tzinfo=UTC) for m in moments]
        far = far.replace(tzinfo=UTC)
    moments[2] = far
    array = pa.array(moments, pa.timestamp(unit, zone))
    result = validate_path(
        typed_parquet(tmp_path / "t.parquet", values, "start", array), today=TODAY
    )
    assert set(result.counts) == {"start_out_of_range", "gap"}, result.report()
    (problem,) = named(result, "start_out_of_range")
    assert (problem.row, problem.column) == (3, "start")


def test_far_starts_in_the_drop_are_a_report_not_load_failed(meter_settings):
    values = restarted(
        small(date(2025, 1, 1), count=1), {3: "9999-12-31T23:00Z", 4: "0001-01-01T00:00"}
    )
    report = drop_meter_file(meter_settings, "far.csv", values)
    (name,) = report.rejected
    refused = [(p["row"], p["code"]) for p in report.problems[name] if p["code"] != "gap"]
    assert refused == [(6, "start_out_of_range"), (7, "start_out_of_range")]
    assert "load_failed" not in report.reports[name] and "Traceback" not in report.reports[name]


# --------------------------------------------------------------------------- item 11: offsets


def stamped(values, offset: str) -> list[dict]:
    """The same instants written with `offset` (`+02:00`, `Z`, `-05:00`...)."""
    hours, minutes = (0, 0) if offset == "Z" else (int(offset[:3]), int(offset[0] + offset[4:]))
    shift = timedelta(hours=hours - 1, minutes=minutes)
    return [
        r
        | {
            "start": (datetime.fromisoformat(r["start"]) + shift).strftime("%Y-%m-%dT%H:%M")
            + offset
        }
        for r in values
    ]


@pytest.mark.parametrize("month", [date(2025, 3, 1), date(2025, 6, 1), date(2025, 10, 1)])
@pytest.mark.parametrize(
    "offset", ["+02:00", "Z", "+00:00", "-05:00", "+05:30", "+14:00", "-12:00"]
)
def test_explicit_offsets_are_converted_to_normal_time(tmp_path, month, offset):
    values = small(month, count=2)
    reference = tmp_path / "normal.parquet"
    assert validate_file(write_csv(tmp_path / "normal.csv", values), out_path=reference, key=KEY).ok
    out = tmp_path / "converted.parquet"
    result = validate_file(
        write_csv(tmp_path / "offset.csv", stamped(values, offset)),
        out_path=out,
        key=KEY,
        today=TODAY,
    )
    assert result.ok, result.report()
    assert result.converted_offsets == {offset: len(values)}
    assert f"{len(values):,} from {offset}" in result.report()
    assert result.to_dict()["converted_offsets"] == {offset: len(values)}
    same = duckdb.sql(
        f"select count(*) from read_parquet('{reference}') a join read_parquet('{out}') b "
        "using (point_id, start_utc, wh)"
    ).fetchall()[0][0]
    assert same == len(values)


def test_normal_time_offsets_are_not_reported_as_converted(tmp_path):
    values = stamped(small(MONTH, count=1), "+01:00")
    result = validate_path(write_csv(tmp_path / "plus1.csv", values), today=TODAY)
    assert result.ok and not result.converted_offsets and "converted" not in result.report()


@pytest.mark.parametrize("offset", ["+15:00", "-13:00", "+01:60", "+0199"])
def test_offsets_no_clock_keeps_are_refused(tmp_path, offset):
    values = small(MONTH, count=1)
    values[1]["start"] += offset
    result = validate_path(write_csv(tmp_path / "bad_offset.csv", values), today=TODAY)
    (problem,) = named(result, "invalid_offset")
    assert (problem.row, problem.column, problem.value) == (4, "start", values[1]["start"])


@pytest.mark.parametrize("month", [date(2025, 3, 1), date(2025, 10, 1)])
def test_summer_time_without_an_offset_is_still_refused(tmp_path, month):
    result = validate_path(
        write_csv(tmp_path / "summer.csv", small(month, summer_time=True)), today=TODAY
    )
    assert "summer_time_stamps" in result.counts and not result.ok


# --------------------------------------------------------------------------- item 12: gzip bombs


def gzip_bomb(path, head: bytes, filler: bytes, unpacked_mib: int, *, members: int = 1):
    """A gzipped CSV of `head` and then `filler` repeated to `unpacked_mib` MiB, compressed as it
    is generated (the bomb is never held in memory and stays small on disk)."""
    import zlib

    chunk = (filler * (1024 * 1024 // len(filler) + 1))[: 1024 * 1024]
    with path.open("wb") as out:
        for member in range(members):
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip member
            out.write(packer.compress(head if member == 0 else b""))
            for _ in range(unpacked_mib // members):
                out.write(packer.compress(chunk))
            out.write(packer.flush())
    return path


BOMBS = {
    "a line repeated": lambda good: good.splitlines(keepends=True)[-1],
    "NUL bytes": lambda _: b"\x00" * 4096,
    "newlines": lambda _: b"\n" * 4096,
}


@pytest.mark.parametrize("filler", sorted(BOMBS))
@pytest.mark.parametrize("members", [1, 3])
def test_a_gzip_bomb_is_refused_while_it_streams(tmp_path, filler, members):
    good = write_csv(tmp_path / "good.csv", small(MONTH, count=1)).read_bytes()
    bomb = gzip_bomb(tmp_path / "bomb.csv.gz", good, BOMBS[filler](good), 512, members=members)
    assert bomb.stat().st_size < 2 * 1024 * 1024  # 512 MiB unpacked, small on disk
    result = validate_path(bomb, today=TODAY)
    (problem,) = named(result, "unpacked_too_large")
    assert problem.row is None and "gzip bomb" in problem.message
    unpacked = int(problem.message.split(" unpack to ")[1].split(" ")[0].replace(",", ""))
    assert unpacked < 64 * 1024 * 1024  # stopped after a few MiB, never unpacked whole
    assert set(result.counts) == {"unpacked_too_large"}


def test_a_gzip_file_beyond_the_unpacked_limit_is_refused(tmp_path):
    from sources.meter_feed.validate import Limits

    path = write_csv(tmp_path / "big.csv.gz", small(MONTH, count=20))
    unpacked = len(__import__("gzip").decompress(path.read_bytes()))
    result = validate_path(path, limits=Limits(max_unpacked_bytes=unpacked // 2), today=TODAY)
    (problem,) = named(result, "unpacked_too_large")
    assert f"more than {unpacked // 2:,} bytes" in problem.message
    assert validate_path(path, limits=Limits(max_unpacked_bytes=unpacked), today=TODAY).ok


def test_a_parquet_row_group_beyond_the_limit_is_refused(tmp_path):
    from sources.meter_feed.validate import Limits

    path = write_parquet(tmp_path / "el.parquet", small(MONTH, count=2))
    result = validate_path(path, limits=Limits(max_row_group_bytes=1000), today=TODAY)
    (problem,) = named(result, "unpacked_too_large")
    assert "row group" in problem.message


def test_a_gzip_bomb_in_the_drop_is_quarantined_and_the_other_files_load(meter_settings):
    folder = meter_settings.inboxes.dir / meter_settings.meters.inbox_folder
    folder.mkdir(parents=True)
    good = write_csv(folder / "el_2025-01.csv", small(date(2025, 1, 1), count=1))
    gzip_bomb(folder / "bomb.csv.gz", good.read_bytes(), b"\x00" * 4096, 256)
    report = drop_meter_file(meter_settings, "el_2025-02.csv", small(date(2025, 2, 1), count=1))
    folder_name = meter_settings.meters.inbox_folder
    assert sorted(report.accepted) == [
        f"{folder_name}/el_2025-01.csv",
        f"{folder_name}/el_2025-02.csv",
    ]
    assert report.rejected == [f"{folder_name}/bomb.csv.gz"]
    assert "unpacked_too_large" in report.reports[report.rejected[0]]


# --------------------------------------------------------------------------- item 15: encodings


def reencoded(tmp_path, values, encoding: str, *, bom: bytes = b"", gz: bool = False):
    # The label's one non-ASCII letter taken out, so that the data's is the first.
    text = write_csv(tmp_path / "utf8.csv", values).read_text("utf-8").replace("ä", "a", 1)
    data = bom + text.encode(encoding)
    path = tmp_path / f"{encoding}.csv{'.gz' if gz else ''}"
    path.write_bytes(__import__("gzip").compress(data) if gz else data)
    return path


@pytest.mark.parametrize(
    "encoding, bom, named_as",
    [
        ("utf-16-le", b"\xff\xfe", "UTF-16 LE"),
        ("utf-16-be", b"\xfe\xff", "UTF-16 BE"),
        ("utf-16-le", b"", "UTF-16 LE"),
        ("utf-16-be", b"", "UTF-16 BE"),
        ("utf-32-le", b"\xff\xfe\x00\x00", "UTF-32 LE"),
    ],
)
@pytest.mark.parametrize("gz", [False, True])
def test_utf16_and_utf32_are_an_encoding_problem(tmp_path, encoding, bom, named_as, gz):
    path = reencoded(tmp_path, small(MONTH, count=1), encoding, bom=bom, gz=gz)
    result = validate_path(path, today=TODAY)
    (problem,) = named(result, "unsupported_encoding")
    assert problem.value.startswith(named_as) and "UTF-8" in problem.message
    assert set(result.counts) == {"unsupported_encoding"}  # not nine missing columns


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "mac-roman"])
def test_an_eight_bit_encoding_is_an_encoding_problem_on_its_line(tmp_path, encoding):
    values = small(MONTH, count=1)
    values[4]["kundkategori"] = "hushåll"  # line 7: å is one byte, not UTF-8
    result = validate_path(reencoded(tmp_path, values, encoding), today=TODAY)
    (problem,) = named(result, "unsupported_encoding")
    assert problem.row == 7


def test_an_encoding_problem_after_the_first_mib_is_reported(tmp_path):
    values = small(MONTH, count=20)  # ~1.4 MB of text
    path = write_csv(tmp_path / "late.csv", values)
    data = path.read_bytes()
    at = data.rfind(b"hushall")
    path.write_bytes(data[:at] + "hushåll".encode("cp1252") + data[at + 7 :])
    result = validate_path(path, today=TODAY)
    assert set(result.counts) == {"unsupported_encoding"}, result.report()


# --------------------------------------------------------------------------- item 13: network areas


@pytest.mark.parametrize(
    "area, shown",
    [
        ("BLE03", "BLE03"),  # an id, not the registry's
        ("Borlänge", None),  # a network's name, not its area's id
        ("Anna Andersson, Storgatan 1, 735999123456789012", None),  # a customer: not repeated
        ("BLE01\x00", None),
        ("\x1b[31mBLE01", None),
        ("\u202e10ELB", None),  # a right-to-left override
        ("ble01", "ble01"),  # ids are compared exactly
        ("BLE01\u200b", None),  # a zero-width space
    ],
)
def test_a_network_area_outside_the_registry_is_refused(tmp_path, area, shown):
    values = small(MONTH, count=1)
    values[2]["natomrade"] = area
    result = validate_path(write_csv(tmp_path / "area.csv", values), today=TODAY)
    assert set(result.counts) == {"unknown_network_area"}
    (problem,) = named(result, "unknown_network_area")
    assert (problem.row, problem.column, problem.value) == (5, "natomrade", shown)
    assert "735999" not in result.report() and "Anna" not in result.report()
    assert "\x1b" not in result.report() and "\u202e" not in result.report()


def test_every_area_of_the_registry_is_accepted_and_reaches_the_rows(tmp_path):
    from sources.energy_feed.registry import load_network_areas

    areas = load_network_areas()
    values = small(MONTH, count=len(areas))
    by_point = dict(zip(sorted({r["matpunkt"] for r in values}), sorted(areas), strict=True))
    for r in values:
        r["natomrade"] = by_point[r["matpunkt"]]
    out = tmp_path / "rows.parquet"
    assert validate_file(write_csv(tmp_path / "areas.csv", values), out_path=out, key=KEY).ok
    found = {a for (a,) in duckdb.sql(f"select distinct natomrade from '{out}'").fetchall()}
    assert found == set(areas) and all(areas[a] == "Borlänge" for a in found)


@pytest.mark.parametrize("column", ["medium", "riktning", "kvalitet", "upplosning", "kundkategori"])
def test_no_refused_code_repeats_a_gsrn_or_control_characters(tmp_path, column):
    values = small(MONTH, count=1)
    values[2][column] = "735999123456789012"
    values[3][column] = "x\x1by"
    result = validate_path(write_csv(tmp_path / "codes.csv", values), today=TODAY)
    assert not result.ok
    shown = [p.value for p in result.problems if p.column == column and p.row in (5, 6)]
    assert shown == [None, None]
    assert "735999123456789012" not in result.report() + json.dumps(result.to_dict())


# ---------------------------------------------------------------- item 3: leftovers, the quota


def aged(path, hours: float):
    moment = __import__("time").time() - hours * 3600
    os.utime(path, (moment, moment))
    return path


def leftovers_of(settings):
    """One of each leftover a killed meter run can leave, two hours old."""
    root = settings.warehouse.landing_dir / SOURCE
    made = []
    for folder, name, is_dir in (
        (root, ".landing-abc123", False),
        (root / "ab", ".landing-def456", False),
        (root / NORMALISED, f".{'a' * 64}.tmp", False),
        (root / NORMALISED, "meter-check-xyz", True),
        (root / WORK, "run-xyz", True),
        (root / WORK, "meter-partition-xyz", True),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        if is_dir:
            path.mkdir()
            (path / "spill.tmp").write_bytes(b"x" * 5000)
        else:
            path.write_bytes(b"x" * 5000)
        made.append(aged(path, 2))
    return made


def test_a_killed_runs_leftovers_are_swept_at_the_next_drop(meter_settings):
    from pipelines.defs.meters.loads import sweep_leftovers

    made = leftovers_of(meter_settings)
    store = store_of(meter_settings)
    fresh = made[0].with_name(".landing-fresh")
    fresh.write_bytes(b"y")
    swept = sweep_leftovers(store, min_age_s=3600)
    assert sorted(s.path for s in swept) == sorted(made)
    assert all(s.bytes >= 5000 and s.age_s > 7000 for s in swept)
    assert not any(p.exists() for p in made) and fresh.exists()  # too young: maybe a live run's
    # The landed files, markers and normalised rows of finished runs are never leftovers.
    assert drop_meter_file(meter_settings, "el.csv", small(date(2025, 1, 1), count=1)).accepted
    landed = sorted(p for p in store.landing_dir.rglob("*") if p.is_file())
    for path in landed:
        aged(path, 48)
    sweep_leftovers(store, min_age_s=0)
    assert sorted(p for p in store.landing_dir.rglob("*") if p.is_file()) == [
        p for p in landed if p != fresh
    ]


def test_a_live_runs_file_is_never_swept_however_old(meter_settings):
    from pipelines.defs.meters.loads import sweep_leftovers
    from pipelines.lib import leftovers

    made = leftovers_of(meter_settings)
    descriptors = [os.open(p, os.O_RDONLY | (os.O_DIRECTORY if p.is_dir() else 0)) for p in made]
    try:
        for fd in descriptors:
            leftovers.hold(fd)
        assert sweep_leftovers(store_of(meter_settings), min_age_s=0) == []
        assert all(p.exists() for p in made)
    finally:
        for fd in descriptors:
            os.close(fd)
    assert len(sweep_leftovers(store_of(meter_settings), min_age_s=0)) == len(made)


def test_a_copy_killed_with_sigkill_is_swept_only_once_it_is_dead(meter_settings):
    """A real writer (the landing copy, pipelines/lib/warehouse.land_stream) stopped mid-file by
    SIGKILL: while it lives its partial file stays, after its death the next run sweeps it."""
    import signal
    import subprocess
    import sys
    import time

    from pipelines.defs.meters.loads import sweep_leftovers

    store = store_of(meter_settings)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from pipelines.lib.warehouse import land_stream;"
            f"land_stream(Path({str(store.landing_dir)!r}), {SOURCE!r}, sys.stdin.buffer, '.csv',"
            " 10**12, chunk_bytes=65536)",
        ],
        stdin=subprocess.PIPE,
    )
    try:
        writer.stdin.write(b"x" * 1024 * 1024)  # then nothing: the copy waits, as on a slow disk
        writer.stdin.flush()
        folder = store.landing_dir / SOURCE
        for _ in range(600):
            partial = list(folder.glob(".landing-*"))
            if partial and partial[0].stat().st_size > 0:
                break
            time.sleep(0.1)
        (partial,) = partial
        assert sweep_leftovers(store, min_age_s=0) == [] and partial.exists()  # alive: held
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        (swept,) = sweep_leftovers(store, min_age_s=0)
        assert swept.path == partial and not partial.exists()
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()


def sparse(path, size: int, data_at: tuple[int, ...]):
    with path.open("wb") as handle:
        handle.truncate(size)
        for offset in data_at:
            handle.seek(offset)
            handle.write(b"matpunkt;medium\n")
    return path


@pytest.mark.parametrize(
    "layout",
    [(), (0,), (2 * 1024**3 - 16,), (0, 1024**3)],
    ids=["all hole", "data then hole", "hole then data", "hole between"],
)
def test_a_sparse_file_is_refused_before_it_is_copied(meter_settings, layout):
    folder = meter_settings.inboxes.dir / meter_settings.meters.inbox_folder
    folder.mkdir(parents=True)
    sparse(folder / "sparse.csv", 2 * 1024**3, layout)
    report = drop_meter_file(meter_settings, "el_2025-01.csv", small(date(2025, 1, 1), count=1))
    name = f"{meter_settings.meters.inbox_folder}/sparse.csv"
    assert report.rejected == [name] and len(report.accepted) == 1  # the other file loads
    assert [p["code"] for p in report.problems[name]] == ["sparse_file"]
    assert "2,147,483,648 bytes declared" in report.reports[name]
    from pipelines.lib.leftovers import real_bytes

    assert real_bytes(meter_settings.warehouse.landing_dir) < 10 * 1024 * 1024  # not 2 GiB
    quarantined = list((meter_settings.inboxes.dir / "quarantine").rglob("*sparse.csv"))
    assert len(quarantined) == 1 and quarantined[0].stat().st_size == 2 * 1024**3  # kept as sent


@pytest.mark.parametrize("quota_files, accepted", [(0.5, 0), (1.5, 1), (100, 2)])
def test_the_landing_quota_is_kept_before_copying(meter_settings, quota_files, accepted):
    from pipelines.defs.meters import loads

    folder = meter_settings.inboxes.dir / meter_settings.meters.inbox_folder
    folder.mkdir(parents=True)
    for month in (2, 3):
        write_csv(folder / f"el_2025-0{month}.csv", small(date(2025, month, 1), count=1))
    report = loads.process_drop(
        meter_settings.inboxes.dir,
        store_of(meter_settings),
        pseudonym_key=meter_settings.meters.pseudonym_key,
        folder=meter_settings.meters.inbox_folder,
        landing_max_bytes=int(quota_files * (folder / "el_2025-03.csv").stat().st_size),
    )
    assert len(report.accepted) == accepted and len(report.rejected) == 2 - accepted
    for name in report.rejected:
        assert [p["code"] for p in report.problems[name]] == ["landing_zone_full"]
        assert "METER_LANDING_MAX_GB" in report.reports[name]
    landed = list((meter_settings.warehouse.landing_dir / SOURCE).glob("*/*.csv"))
    assert len(landed) == accepted


@pytest.mark.parametrize(
    "name, value", [("METER_LANDING_MAX_GB", "0"), ("METER_LEFTOVER_MIN_AGE_S", "-1")]
)
def test_the_landing_settings_are_bounded(name, value):
    from pipelines.settings import SettingsError

    with pytest.raises(SettingsError):
        Settings.from_env({name: value})


# --------------------------------------------------------------------------- item 14: the generator


@pytest.mark.parametrize("scale", [500, 6000, 30_000])
@pytest.mark.parametrize("month", ["2024-01", "2024-07"])
def test_the_generator_stays_within_every_categorys_connection(scale, month):
    """What write_month draws for the bench at each scale, category by category (not written):
    every value within the category's max_kw_per_point, which the validator enforces."""
    import numpy as np

    from replay import meter_sample as M

    cats, full = M.categories(), M.FULL_POINTS["el"]
    counts = M.allocate(scale, "el")
    hours = M.Hours.of(month, 14)
    targets = M.category_targets("el", month, hours, counts, cats)
    first, peaks = 0, {}
    for index, kundkategori in enumerate(full):
        n = counts[kundkategori]
        pts = M.Points.of(14, "el", kundkategori, first, n, full[kundkategori])
        first += n
        rng = np.random.default_rng([14, M._code(month), index])
        kwh = M.category_kwh(kundkategori, pts, hours, rng, targets[kundkategori], cats)
        peaks[kundkategori] = float(kwh.max())
    assert all(peaks[k] <= cats[k].max_kw_per_point for k in full), peaks
    assert all(peaks[k] > 0 for k in full)
