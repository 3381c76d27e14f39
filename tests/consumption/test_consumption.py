"""Consumption-based emissions and the peer comparison (issue 8).

Expected figures are read from Klimatkollen's workbooks in ../shared (never typed in); those tests
skip where ../shared is absent. The warehouse tests reuse the session's demo warehouse.
"""

from __future__ import annotations

import io
import itertools

import openpyxl
import polars as pl
import pytest

from pipelines.settings import REPO_ROOT, Settings
from sources.consumption import SeiFormatError, parse_sei_households, parse_swedish_number

SHARED = REPO_ROOT.parent / "shared" / "data" / "klimatkollen"
BORLANGE = "2081"
SEI_NAME = "Klimatkollen_data for 2023_shared April 2026.xlsx"
needs_shared = pytest.mark.skipif(
    not SHARED.exists(), reason="../shared/data/klimatkollen is not beside the repo"
)


def sei_workbook(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Municipal_grouped"
    for row in [
        ["Kommunkod", "kommunnamn", "Kommungrupp_kod", "Total_emissions_per_capita"],
        *rows,
    ]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- parsing (no warehouse)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("74 664", 74664.0),
        ("12 280 742", 12280742.0),
        ("5\u00a0445,16", 5445.16),
        ("5\u202f445.5", 5445.5),
        ("-1 234", -1234.0),
        (5445.158, 5445.158),
        (3, 3.0),
    ],
)
def test_swedish_numbers_with_space_thousand_separators(text, expected):
    assert parse_swedish_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["n/a", "", "1,2,3", "5 445 kg", None, True])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ValueError):
        parse_swedish_number(text)


def test_sei_parser_reads_text_numbers_and_restores_leading_zeros():
    content = sei_workbook(
        [
            ["0114", "Upplands Väsby", 2, "5 318,19"],
            [2081, "Borlänge", "3", "5 445"],
            [None, "Sweden", None, "5 391,8"],
        ]
    )
    parsed = parse_sei_households(content, file_name=SEI_NAME)
    assert (parsed.data_year, str(parsed.vintage)) == (2023, "2026-04-01")
    assert parsed.frame.select("kommun_kod", "kg_co2e_per_capita", "kommungrupp_kod").rows() == [
        ("0114", 5318.19, 2),
        ("2081", 5445.0, 3),
    ]
    assert parsed.national_kg_per_capita == pytest.approx(5391.8)


@pytest.mark.parametrize(
    "rows, where",
    [
        (
            [["2081", "Borlänge", 3, "5 445"], ["2080", "Falun", 3, "n/a"]],
            "row 3, column D: emissions per capita must be a number",
        ),
        ([["208", "Borlänge", 3, 5445.2]], "row 2, column A: kommun code must be 4 digits"),
        ([["2081", "Borlänge", 3, 5.445]], "row 2, column D: 5.4 is outside"),
        (
            [["2081", "Borlänge", 3, 5445.0], ["2081", "Borlänge", 3, 5445.0]],
            "row 3, column A: kommun 2081 appears twice",
        ),
        (
            [["2081", "Borlänge", 3.5, 5445.0]],
            "row 2, column C: kommungrupp must be a whole number",
        ),
    ],
)
def test_sei_parser_names_file_sheet_row_and_column(rows, where):
    with pytest.raises(SeiFormatError) as error:
        parse_sei_households(sei_workbook(rows), file_name=SEI_NAME)
    assert str(error.value).startswith(f"{SEI_NAME}, sheet 'Municipal_grouped', ")
    assert where in str(error.value)


def test_sei_parser_refuses_a_wrong_header_and_an_unnamed_file():
    workbook = openpyxl.Workbook()
    workbook.active.title = "Municipal_grouped"
    workbook.active.append(["Kommunkod", "namn", "grupp", "kg"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(
        SeiFormatError, match=r"row 1, column B: header 'kommunnamn' expected \(value 'namn'\)"
    ):
        parse_sei_households(buffer.getvalue(), file_name=SEI_NAME)
    with pytest.raises(SeiFormatError, match="cannot read the data year"):
        parse_sei_households(sei_workbook([]), file_name="households.xlsx")


def test_a_rejected_sei_file_leaves_the_warehouse_unchanged(tmp_path):
    from pipelines.defs.consumption.loads import load_sei_households
    from pipelines.lib import warehouse
    from pipelines.lib.warehouse import RejectedFile, Store

    store = Store(tmp_path / "w.duckdb", tmp_path / "landing")
    good = tmp_path / "good" / SEI_NAME
    good.parent.mkdir()
    good.write_bytes(sei_workbook([["2081", "Borlänge", 3, "5 445,16"]]))
    first = load_sei_households(good, store)
    assert (first.rows_inserted, first.unchanged) == (1, False)
    assert load_sei_households(good, store).unchanged  # the same bytes again: nothing happens
    with warehouse.connect(store.warehouse_path) as con:
        before = warehouse.fingerprint(con)
    bad = tmp_path / "bad" / SEI_NAME
    bad.parent.mkdir()
    bad.write_bytes(sei_workbook([["2081", "Borlänge", 3, "fem tusen"]]))
    with pytest.raises(RejectedFile) as rejected:
        load_sei_households(bad, store)
    assert "row 2, column D" in str(rejected.value) and rejected.value.report_path.exists()
    with warehouse.connect(store.warehouse_path) as con:
        assert warehouse.fingerprint(con) == before


# --------------------------------------------------------------- the pace comparison (no warehouse)


def test_similar_pace_uses_the_tolerance_and_the_carbon_law_rate():
    from pipelines.defs.trajectory.consumption import compare_with_territorial

    consumption = pl.DataFrame(
        {
            "kommun_kod": ["0001"],
            "method": ["carbon_law"],
            "slope_t_per_year": [-2.0],
            "reduction_rate": [0.1172],
            "scope_status": ["complete"],
        }
    )
    levels = pl.DataFrame({"kommun_kod": ["0001"], "level_t": [100.0]})  # -2.0 %/yr
    territorial = pl.DataFrame(
        {
            "kommun_kod": ["0001"],
            "method": ["carbon_law"],
            "slope_t_per_year": [-5.0],
            "level_t": [200.0],
        }
    )  # -2.5 %/yr
    loose = compare_with_territorial(consumption, levels, territorial, tolerance_pp=1.0).row(
        0, named=True
    )
    assert loose["pace_pct_per_year"] == pytest.approx(-2.0)
    assert loose["territorial_pace_pct_per_year"] == pytest.approx(-2.5)
    assert loose["pace_difference_pp"] == pytest.approx(0.5)
    assert loose["falls_at_similar_pace"] is True and loose["meets_carbon_law_rate"] is False
    strict = compare_with_territorial(consumption, levels, territorial, tolerance_pp=0.2).row(
        0, named=True
    )
    assert strict["falls_at_similar_pace"] is False


def test_tolerance_is_configured_by_environment():
    assert (
        Settings.from_env({"CONSUMPTION_PACE_TOLERANCE_PP": "0.5"}).tolerances.consumption_pace_pp
        == 0.5
    )
    assert Settings.from_env({}).tolerances.consumption_pace_pp == 1.0


def test_territorial_only_presets_are_marked_not_applicable():
    from pipelines.defs.trajectory.consumption import not_applicable_reason
    from pipelines.defs.trajectory.presets import load_presets

    reasons = {m: not_applicable_reason(p) for m, p in load_presets().items()}
    assert reasons["carbon_law"] is None and reasons["carbon_law_1_7c"] is None
    assert reasons["carbon_budget"].startswith("not applicable") and reasons[
        "borlange_local"
    ].startswith("not applicable")


# ---------------------------------------------------------------- the marts (demo warehouse)


@pytest.fixture(scope="module")
def kons_sheets():
    from replay.build_consumption_payloads import WORKBOOK, read_consumption_sheet

    workbook = openpyxl.load_workbook(SHARED / WORKBOOK, read_only=True, data_only=True)
    return {name: read_consumption_sheet(workbook, name) for name in ("Kons_Off", "Kons_Inv")}


def mart_values(con, component: str, years: range) -> dict[tuple[str, int], float]:
    rows = con.execute(
        "select kommun_kod, year, tonnes from marts.fct_consumption_emissions "
        "where component = ? and year between ? and ?",
        [component, years[0], years[-1]],
    ).fetchall()
    return {(k, y): t for k, y, t in rows}


@needs_shared
def test_public_sector_reproduces_kons_off_for_borlange_2008_2017(demo_con, kons_sheets):
    """Klimatkollen rounds to whole tonnes, so 'within rounding' is 0.5 t plus the key's own
    rounding (it is a ratio of rounded Kons_Off values): 1 t. 2008–2011 use the 2012 key (key-year
    rule)."""
    off = kons_sheets["Kons_Off"]
    ours = mart_values(demo_con, "public_sector", range(2008, 2018))
    comparison = [
        (year, off.kommuner[BORLANGE][1][off.years.index(year)], ours[(BORLANGE, year)])
        for year in range(2008, 2018)
    ]
    table = "\n".join(
        f"{y}  Kons_Off {k:>10,.0f}  mart {m:>12,.2f}  diff {m - k:+.2f}" for y, k, m in comparison
    )
    assert all(abs(m - k) <= 1.0 for _, k, m in comparison), (
        f"Borlänge public sector vs Kons_Off:\n{table}"
    )
    assert ours[(BORLANGE, 2008)] == pytest.approx(74664, abs=1.0)
    key_years = demo_con.execute(
        "select year, allocation_key_year from marts.fct_consumption_emissions where "
        "kommun_kod = '2081' and component = 'public_sector' and year <= 2013 order by 1"
    ).fetchall()
    assert key_years == [
        (2008, 2012),
        (2009, 2012),
        (2010, 2012),
        (2011, 2012),
        (2012, 2012),
        (2013, 2013),
    ]


@needs_shared
def test_every_kommun_reproduces_kons_off_and_kons_inv_within_rounding(demo_con, kons_sheets):
    """The bound is the rounding the figures carry, term by term: the workbook rounds each value to
    1 t (0.5 t); the key is a ratio of rounded Kons_Off values (0.5 t of Off, i.e. 0.5 t × value/Off
    when applied to Inv); and the rounded kommun values do not add up to the national total (±9 t),
    so normalising the key to sum 1 moves every value by value × |Σ shares − 1|."""
    off = kons_sheets["Kons_Off"]
    mismatches = []
    for component, sheet in (("public_sector", "Kons_Off"), ("investments", "Kons_Inv")):
        ours = mart_values(demo_con, component, range(2008, 2018))
        expected = kons_sheets[sheet]
        for year in range(2008, 2018):
            i, key_i = expected.years.index(year), off.years.index(max(year, 2012))
            share_sum = sum(v[key_i] for _, v in off.kommuner.values()) / off.national[key_i]
            for code, (name, values) in expected.kommuner.items():
                bound = (
                    0.5
                    + 0.5 * values[i] / off.kommuner[code][1][key_i]
                    + values[i] * abs(share_sum - 1)
                    + 1e-6
                )
                if abs(ours[(code, year)] - values[i]) > bound:
                    mismatches.append(
                        f"{sheet} {code} {name} {year}: {values[i]:,.0f} vs "
                        f"{ours[(code, year)]:,.2f} (bound {bound:.2f} t)"
                    )
    assert not mismatches, "\n".join(mismatches[:20])


@needs_shared
def test_borlange_households_2023_are_sei_per_capita_times_population(demo_con):
    sheet = openpyxl.load_workbook(
        SHARED / "territorial-data-pipeline_bf20c58/kpis/consumption/sources" / SEI_NAME,
        read_only=True,
        data_only=True,
    )["Municipal_grouped"]
    kg = next(row[3] for row in sheet.iter_rows(values_only=True) if row[0] == BORLANGE)
    assert round(kg) == 5445  # methods.md §4.1: 5,445 kg CO2e per capita
    population = demo_con.execute(
        "select population from staging.stg_scb__population "
        "where kommun_kod = '2081' and year = 2023"
    ).fetchall()[0][0]
    tonnes, per_capita, key = demo_con.execute(
        "select tonnes, tonnes_per_capita, allocation_key from marts.fct_consumption_emissions "
        "where kommun_kod = '2081' and year = 2023 and component = 'households'"
    ).fetchall()[0]
    assert tonnes == pytest.approx(kg * population / 1000.0, rel=1e-12)
    assert per_capita == pytest.approx(kg / 1000.0) and key == "population"


def test_per_capita_is_null_where_there_is_no_population(demo_con):
    years = demo_con.execute("""select distinct year from marts.fct_consumption_emissions
                                where tonnes_per_capita is not null order by 1""").fetchall()
    assert [y for (y,) in years] == [2023]  # population is loaded for 2023–2025 only


def test_peer_comparison_ranks_borlange_within_dalarna_by_emissions_per_resident(demo_con):
    dalarna = demo_con.execute(
        "select kommun_kod from marts.dim_kommun where lan_kod = '20'"
    ).fetchall()
    per_capita = dict(
        demo_con.execute("""
        select kommun_kod, tonnes_per_capita from marts.emissions_per_capita
        where gas = 'CO2e' and in_latest_release and year = 2024""").fetchall()
    )
    own = per_capita[BORLANGE]
    expected_rank = 1 + sum(per_capita[k] < own for (k,) in dalarna)
    row = demo_con.execute("""select rank_in_group, group_size, tonnes_per_capita, meets_paris,
        trend_sum_t,
                                     allowed_sum_t, change_since_2015_pct
                              from marts.peer_comparison where group_id = 'dalarna' and kommun_kod =
                                  '2081'""").fetchall()[0]
    rank, size, tonnes_per_capita, meets_paris, trend_sum, allowed_sum, change = row
    assert (rank, size) == (expected_rank, len(dalarna))
    assert tonnes_per_capita == pytest.approx(423_795.83 / 51_425, rel=1e-6)  # methods.md §4.1
    assert change == pytest.approx(100 * (423_795.83 / 467_022 - 1), abs=0.01)  # -9.3 % since 2015
    assert meets_paris is False and trend_sum == pytest.approx(
        7_154_677, abs=1
    )  # Klimatkollen's verdict
    assert allowed_sum == pytest.approx(3_295_459, abs=1)


def test_rank_in_lan_agrees_with_the_peer_group_and_counts_every_lan(demo_con):
    """The län rank is computed once (emissions_rank_in_lan); Dalarna's peer group is the same 15
    kommuner."""
    rank, size, sweden_rank, sweden_size = demo_con.execute("""
        select rank_in_lan, kommuner_in_lan, rank_in_sweden, kommuner_in_sweden from
            marts.emissions_rank_in_lan
        where kommun_kod = '2081' and year = 2024 and gas = 'CO2e'""").fetchall()[0]
    peer_rank = demo_con.execute("""select rank_in_group from marts.peer_comparison
                                    where group_id = 'dalarna' and kommun_kod =
                                        '2081'""").fetchall()[0][0]
    all_per_capita = dict(
        demo_con.execute("""select kommun_kod, tonnes_per_capita from marts.emissions_per_capita
        where gas = 'CO2e' and year = 2024 and tonnes_per_capita is not null""").fetchall()
    )
    own = all_per_capita[BORLANGE]
    assert (rank, size) == (peer_rank, 15) and rank == 13
    assert (sweden_rank, sweden_size) == (1 + sum(v < own for v in all_per_capita.values()), 290)
    by_lan = dict(
        demo_con.execute("""select lan_kod, max(kommuner_in_lan) from marts.emissions_rank_in_lan
        where year = 2024 and gas = 'CO2e' group by 1""").fetchall()
    )
    assert len(by_lan) == 21 and sum(by_lan.values()) == 290 and by_lan["20"] == 15


def test_peer_groups_are_the_listed_cities_dalarna_and_the_size_and_industry_rule(demo_con):
    groups = dict(
        demo_con.execute(
            "select group_id, count(*) from marts.dim_peer_group_members group by 1"
        ).fetchall()
    )
    assert groups["klimatneutrala_stader_2030"] == 23 and groups["dalarna"] == 15
    similar = demo_con.execute("""select kommun_kod, structure_population, structure_industry_share
                                  from marts.dim_peer_group_members where group_id =
                                      'similar_size_industry'""").fetchall()
    assert BORLANGE in {k for k, _, _ in similar}
    assert all(30_000 <= p <= 80_000 and s >= 0.40 for _, p, s in similar)


@needs_shared
def test_borlange_consumption_trajectory_against_territorial(demo_con, kons_sheets):
    """The consumption series is Kons_Off + Kons_Inv; its LAD line is found here by brute force (the
    optimum passes through two points), independently of pipelines/defs/trajectory/lad.py."""
    from pipelines.defs.trajectory.consumption_assets import borlange_check

    years = list(range(2015, 2024))
    series = [
        sum(
            kons_sheets[s].kommuner[BORLANGE][1][kons_sheets[s].years.index(y)]
            for s in ("Kons_Off", "Kons_Inv")
        )
        for y in years
    ]
    best = min(
        (
            sum(
                abs(
                    v
                    - (series[i] + (series[j] - series[i]) / (years[j] - years[i]) * (y - years[i]))
                )
                for y, v in zip(years, series, strict=True)
            ),
            (series[j] - series[i]) / (years[j] - years[i]),
        )
        for i, j in itertools.combinations(range(len(years)), 2)
    )
    expected_pace = 100 * best[1] / series[-1]
    summary = demo_con.sql("select * from trajectory.consumption_summary").pl()
    row = summary.filter(
        (pl.col("kommun_kod") == BORLANGE) & (pl.col("method") == "carbon_law")
    ).row(0, named=True)
    assert row["level_t"] == pytest.approx(series[-1], abs=2.0)
    assert row["pace_pct_per_year"] == pytest.approx(expected_pace, abs=0.01)
    assert row["territorial_pace_pct_per_year"] == pytest.approx(
        100 * -9829.2 / 423_795.83, abs=0.01
    )  # methods.md
    assert row["falls_at_similar_pace"] == (
        row["pace_pct_per_year"] <= row["territorial_pace_pct_per_year"] + 1.0
    )
    assert row["meets_carbon_law_rate"] == (row["pace_pct_per_year"] <= -11.72)
    check = borlange_check(summary, "2081")
    assert check.passed == row["falls_at_similar_pace"] and check.severity.value == "WARN"
    assert check.metadata["carbon_law_rate_pct_per_year"].value == pytest.approx(-11.72)
    from pipelines.defs.trajectory.presets import load_presets

    methods = demo_con.execute(
        "select method from marts.consumption_trajectory where kommun_kod = '2081'"
    ).fetchall()
    assert sorted(m for (m,) in methods) == sorted(load_presets())


@needs_shared
def test_consumption_payloads_rebuild_byte_for_byte():
    from replay.build_consumption_payloads import build_all

    for path, data in build_all(SHARED).items():
        assert path.read_bytes() == data, path.name
