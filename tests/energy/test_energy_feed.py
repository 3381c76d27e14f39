"""Borlänge Energi's monthly feed: parsing, units and every class of bad file (the loads, the marts
and the climate value are in test_energy_pipeline.py).

The fixtures are SYNTHETIC (tests/fixtures/energy/make_fixtures.py writes them).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from sources.energy_feed import contract as C
from sources.energy_feed.registry import load_networks
from sources.energy_feed.validate import Limits, load_feed, load_feed_bytes
from tests.helpers import ENERGY_FIXTURES as FIXTURES
from tests.helpers import energy_fixture_maker as make_fixtures
from tests.helpers import only_problem as only

BALANCE = "Värmeproduktion + Köpt värme = Leverans + Nätförluster"


def value(
    frame: pl.DataFrame,
    network: str,
    month: str,
    measure: str,
    category: str = "",
    unit: str = C.MWH,
) -> float:
    return (
        frame.filter(
            (pl.col("network") == network)
            & (pl.col("month").dt.strftime("%Y-%m") == month)
            & (pl.col("measure") == measure)
            & (pl.col("category") == category)
            & (pl.col("unit") == unit)
        )
        .get_column("value")
        .item()
    )


def by_key(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select("network", "month", "measure", "category", "unit", "value").sort(
        "network", "month", "measure", "category", "unit"
    )


# --------------------------------------------------------------------------- reading


def test_good_year_loads_with_decimal_comma():
    feed = load_feed(FIXTURES / "good_2025_utf8.csv")
    assert feed.ok, feed.problems
    # 2 networks x 12 months x 26 columns
    assert feed.frame.height == 2 * 12 * 26
    assert (
        value(feed.frame, "Borlänge", "2025-02", C.DELIVERY, "single_family") == 12589.6
    )  # "12589,6"
    assert value(feed.frame, "Borlänge", "2025-02", C.FUEL_INPUT, "oil", C.TONNES) == 67.2  # "67,2"
    assert value(feed.frame, "Borlänge", "2025-12", C.CHARGE_POINTS, "", C.COUNT) == 336


def test_windows_1252_loads_the_same_as_utf8():
    raw = (FIXTURES / "good_2025_cp1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is Windows-1252
    cp1252, utf8 = (
        load_feed(FIXTURES / "good_2025_cp1252.csv"),
        load_feed(FIXTURES / "good_2025_utf8.csv"),
    )
    assert cp1252.ok, cp1252.problems
    assert set(cp1252.frame.get_column("network")) == {"Borlänge", "Ornäs"}
    assert by_key(cp1252.frame).equals(by_key(utf8.frame))


def test_one_xlsx_month_matches_the_csv():
    xlsx = load_feed(FIXTURES / "good_2025_01.xlsx")
    assert xlsx.ok, xlsx.problems
    january = load_feed(FIXTURES / "good_2025_utf8.csv").frame.filter(
        pl.col("month").dt.month() == 1
    )
    assert by_key(xlsx.frame).equals(by_key(january))


def test_a_file_declared_in_kwh_is_scaled_to_mwh():
    feed = load_feed(FIXTURES / "good_2025q1_kwh_declared.csv")
    assert feed.ok, feed.problems
    assert set(feed.frame.get_column("unit")) == {C.MWH, C.TONNES, C.COUNT}
    assert value(feed.frame, "Borlänge", "2025-01", C.FUEL_INPUT, "waste") == pytest.approx(
        24300
    )  # 24 300 000 kWh
    assert (
        value(feed.frame, "Borlänge", "2025-01", C.FUEL_INPUT, "waste", C.TONNES) == 8100
    )  # tonnes untouched
    good = load_feed(FIXTURES / "good_2025_utf8.csv").frame.filter(
        (pl.col("network") == "Borlänge") & (pl.col("month").dt.month() <= 3)
    )
    joined = by_key(feed.frame).join(
        by_key(good), on=["network", "month", "measure", "category", "unit"]
    )
    assert joined.height == 3 * 26
    assert (joined["value"] - joined["value_right"]).abs().max() < 1e-6


def test_a_whole_file_in_undeclared_kwh_is_caught_by_magnitude_and_heating_value():
    feed = load_feed(FIXTURES / "bad_undeclared_kwh.csv")
    codes = {(p.code, p.row) for p in feed.problems}
    # Lines 5-7 are Jan-Mar. Every row balances (all 1000x), so the balance check alone is blind
    # here.
    assert codes == {
        (c, row)
        for c in ("implausible_magnitude", "implausible_heating_value")
        for row in (5, 6, 7)
    }
    waste = [p for p in feed.problems if p.code == "implausible_heating_value" and p.row == 5][0]
    assert waste.column == "Bränsle restavfall" and waste.value == "3000 MWh/t"


def test_part_of_a_row_in_undeclared_kwh_is_caught_by_the_balance():
    feed = load_feed(FIXTURES / "bad_mixed_kwh.csv")
    assert [(p.code, p.row, p.column) for p in feed.problems] == [("balance_mismatch", 6, BALANCE)]


def test_the_balance_tolerance_is_configurable():
    # March: production + purchased 41 530 MWh, deliveries + losses 44 923.4 MWh: 7.6 % apart.
    assert [p.code for p in load_feed(FIXTURES / "bad_unbalanced.csv").problems] == [
        "balance_mismatch"
    ]
    assert load_feed(FIXTURES / "bad_unbalanced.csv", Limits(balance_tolerance=0.08)).ok


# -------------------------------------------------------------------------- every class of bad file

# (file, code, row, column, value). Row 4 is the header line, rows 5-7 are Jan-Mar 2025.
BAD_FILES = [
    ("bad_missing_column.csv", "missing_column", 4, "Nätförluster", None),
    ("bad_renamed_column.csv", "renamed_column", 4, "Förluster", "Förluster"),
    ("bad_wrong_unit.csv", "wrong_unit", 4, "Enhet", "GJ"),
    ("bad_missing_period.csv", "missing_period", None, "Period", None),
    ("bad_month_missing.csv", "missing_month", 6, "Månad", None),
    ("bad_month_outside_period.csv", "month_outside_period", 7, "Månad", "2025-04"),
    ("bad_negative_energy.csv", "negative_energy", 5, "Värmeproduktion eldningsolja", "-900"),
    ("bad_not_a_number.csv", "not_a_number", 5, "Köpt värme", "n/a"),
    ("bad_decimal_point.csv", "decimal_point", 6, "Bränsle biobränsle (ton)", "8640.5"),
    ("bad_unbalanced.csv", "balance_mismatch", 7, BALANCE, "41530.0 ≠ 44923.4 MWh"),
    (
        "bad_undeclared_kwh.csv",
        "implausible_magnitude",
        5,
        "Värmeproduktion + Köpt värme",
        "50200000 MWh",
    ),
]


@pytest.mark.parametrize(
    ("name", "code", "row", "column", "shown"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_every_bad_file_gives_its_problem_with_row_and_column(name, code, row, column, shown):
    feed = load_feed(FIXTURES / name)
    assert not feed.ok
    found = [p for p in feed.problems if p.code == code]
    assert found, [p.code for p in feed.problems]
    assert (found[0].file, found[0].row, found[0].column, found[0].value) == (
        name,
        row,
        column,
        shown,
    )
    assert found[0].message and found[0].expected


def test_a_missing_month_also_reports_the_gap_in_the_period():
    codes = [(p.code, p.value) for p in load_feed(FIXTURES / "bad_month_missing.csv").problems]
    assert codes == [("missing_month", None), ("month_not_reported", "2025-02")]


def test_unreadable_and_unsupported_files(tmp_path):
    (tmp_path / "x.csv").write_bytes(
        b"N\x81t;M\x8dnad\r\n"
    )  # bytes neither UTF-8 nor Windows-1252 decode
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    (tmp_path / "noheader.csv").write_text(
        "Period;2025-01;2025-01\r\nBorlänge;2025-01;1\r\n", encoding="utf-8"
    )
    assert [p.code for p in load_feed(tmp_path / "x.csv").problems] == ["unreadable_file"]
    assert [p.code for p in load_feed(tmp_path / "x.pdf").problems] == ["unsupported_file_type"]
    assert [p.code for p in load_feed(tmp_path / "x.xlsx").problems] == ["unreadable_file"]
    assert [p.code for p in load_feed(tmp_path / "noheader.csv").problems] == ["missing_header"]


def test_xlsx_with_date_cells_and_kwh_in_the_headings(tmp_path):
    # A unit cell in a heading, e.g. "Köpt värme (kWh)", declares that column; a real date as the
    # month.
    from datetime import datetime

    from openpyxl import Workbook, load_workbook

    source = load_workbook(FIXTURES / "good_2025_01.xlsx").active
    rows = [list(r) for r in source.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Nät")
    rows[header_at] = [h.replace("(MWh)", "(kWh)") for h in rows[header_at]]
    for r in rows[header_at + 1 :]:
        r[1] = datetime(2025, 1, 1)
        r[2:] = [
            v * 1000 if "(kWh)" in h else v for h, v in zip(rows[header_at][2:], r[2:], strict=True)
        ]
    book = Workbook()
    for r in rows:
        book.active.append(r)
    book.save(tmp_path / "kwh_headings.xlsx")

    feed = load_feed(tmp_path / "kwh_headings.xlsx")
    assert feed.ok, feed.problems
    assert by_key(feed.frame).equals(by_key(load_feed(FIXTURES / "good_2025_01.xlsx").frame))


def test_a_heading_unit_that_contradicts_the_file_unit_is_reported(tmp_path):
    text = (FIXTURES / "good_2025q1_kwh_declared.csv").read_text(encoding="utf-8")
    (tmp_path / "conflict.csv").write_text(
        text.replace(";Köpt värme;", ";Köpt värme (MWh);"), encoding="utf-8"
    )
    problems = load_feed(tmp_path / "conflict.csv").problems
    assert [(p.code, p.row, p.column) for p in problems] == [
        ("conflicting_unit", 5, "Köpt värme (MWh)")
    ]


# -------------------------------------------------------------- the bytes entry point, the registry


MF = make_fixtures()


def test_the_bytes_entry_point_gives_what_the_path_gives():
    for name in (
        "good_2025_utf8.csv",
        "good_2025_cp1252.csv",
        "good_2025_01.xlsx",
        "bad_unbalanced.csv",
    ):
        from_path = load_feed(FIXTURES / name)
        from_bytes = load_feed_bytes(name, (FIXTURES / name).read_bytes())
        assert from_bytes.problems == from_path.problems and from_bytes.meta == from_path.meta
        assert from_bytes.frame.equals(from_path.frame)


def test_the_network_registry_is_the_seed():
    networks = load_networks()
    assert list(networks) == ["Borlänge", "Ornäs"]
    assert (networks["Borlänge"].size_class, networks["Borlänge"].max_monthly_heat_mwh) == (
        "large",
        250_000,
    )
    assert (networks["Ornäs"].size_class, networks["Ornäs"].is_synthetic) == ("small", True)


def test_an_unknown_network_is_refused_with_a_suggestion():
    text = MF.csv_text(
        MF.year_rows(networks=("Borlänge",), months=range(2)), period=("2025-01", "2025-02")
    )
    text = MF.replace_cell(text, "2025-01", "Nät", "Falun")
    text = MF.replace_cell(text, "2025-02", "Nät", "borlänge")
    problems = [
        p for p in load_feed_bytes("r.csv", text.encode()).problems if p.code == "unknown_network"
    ]
    assert [(p.row, p.column, p.value) for p in problems] == [
        (5, "Nät", "Falun"),
        (6, "Nät", "borlänge"),
    ]
    assert problems[0].expected == "one of: Borlänge, Ornäs"
    assert problems[1].message.endswith("Did you mean 'Borlänge'?")
    registry = {"Falun": dataclasses.replace(load_networks()["Borlänge"], name="Falun")}
    assert not any(
        p.code == "unknown_network" and p.row == 5
        for p in load_feed_bytes("r.csv", text.encode(), networks=registry).problems
    )


def test_a_small_network_silently_in_kwh_is_caught_by_its_own_range():
    # Ornäs in July: 85 MWh of heat, in kWh 85 000, far below the large network's 250 000 MWh, and
    # with no fuel tonnes the heating value cannot tell. Only Ornäs's range (at most 5 000) can.
    [row] = MF.year_rows(networks=("Ornäs",), months=range(6, 7))
    row["Bränsle biobränsle (ton)"] = 0
    text = MF.csv_text([row], period=("2025-07", "2025-07"), scale=1000.0)
    problem = only(load_feed_bytes("ornas.csv", text.encode()), "implausible_magnitude")
    assert (problem.row, problem.value) == (5, "85000 MWh")
    assert problem.expected == "at most 5000 MWh a month for Ornäs (the network registry)"


def test_a_file_declared_kwh_but_in_mwh_is_below_the_networks_range():
    text = MF.csv_text(
        MF.year_rows(networks=("Borlänge",), months=range(1)),
        period=("2025-01", "2025-01"),
        unit="kWh",
    )
    feed = load_feed_bytes("declared.csv", text.encode())
    problem = [p for p in feed.problems if p.code == "implausible_magnitude"][0]
    assert (problem.row, problem.value) == (6, "50.2 MWh")  # 50 200 "kWh" of heat
    assert problem.expected == "0, or at least 2000 MWh a month for Borlänge (the network registry)"


def test_electricity_in_kwh_and_a_fractional_count_are_caught_when_the_heat_is_right():
    text = MF.csv_text(
        MF.year_rows(networks=("Borlänge",), months=range(1)), period=("2025-01", "2025-01")
    )
    text = MF.replace_cell(text, "2025-01", "Eldistribution hushåll", "16000000")
    text = MF.replace_cell(text, "2025-01", "Antal laddpunkter", "320,5")
    problems = load_feed_bytes("el.csv", text.encode()).problems
    assert [(p.code, p.row, p.column, p.value) for p in problems] == [
        ("not_a_whole_number", 5, "Antal laddpunkter", "320,5")
    ]
    text = MF.replace_cell(text, "2025-01", "Antal laddpunkter", "320")
    problems = load_feed_bytes("el.csv", text.encode()).problems
    assert [(p.code, p.row, p.column, p.value) for p in problems] == [
        ("implausible_value", 5, "Eldistribution hushåll", "1.6e+07 MWh")
    ]
    assert problems[0].expected == "at most 150,000 MWh per network and month"


# ------------------------------------------------------------------------- borlange validate energy


def test_borlange_validate_energy_exits_0_when_valid_and_1_with_problems(tmp_path):
    borlange = Path(sys.executable).with_name("borlange")
    good, bad = FIXTURES / "good_2025_utf8.csv", FIXTURES / "bad_unbalanced.csv"
    ok = subprocess.run(
        [borlange, "validate", "energy", good], capture_output=True, text=True, cwd=tmp_path
    )
    assert (ok.returncode, ok.stdout) == (0, "OK: good_2025_utf8.csv: 624 values, no problems.\n")
    both = subprocess.run(
        [borlange, "validate", "energy", good, bad, "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert both.returncode == 1, both.stderr
    documents = json.loads(both.stdout)
    assert [(d["file"], d["ok"], d["values"]) for d in documents] == [
        ("good_2025_utf8.csv", True, 624),
        ("bad_unbalanced.csv", False, None),
    ]
    assert [(p["code"], p["row"]) for p in documents[1]["problems"]] == [("balance_mismatch", 7)]
    usage = subprocess.run(
        [borlange, "validate", "energy", "--no-such-option", good],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert usage.returncode == 2 and "unrecognized arguments" in usage.stderr


def test_validate_energy_through_the_entry_point(capsys, tmp_path):
    from pipelines.cli import main

    bad = str(FIXTURES / "bad_unbalanced.csv")
    assert main(["validate", "energy", bad]) == 1
    assert "code: balance_mismatch" in capsys.readouterr().out
    assert main(["validate", "energy", bad, "--balance-tolerance", "0.08"]) == 0
    assert main(["validate", "energy", str(tmp_path / "nowhere.csv")]) == 1
    assert "file_not_found" in capsys.readouterr().out
    assert main(["validate", "energy", bad, "--networks", str(tmp_path / "none.csv")]) == 2
    assert "not a network registry" in capsys.readouterr().err
    for argv in (
        ["validate", "energy"],
        ["validate", "energy", bad, "--balance-tolerance", "0"],
        ["validate", "energy", bad, "--max-file-mb", "nan"],
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
