"""The frameworks a climate city reports to: the län and national levels, and the GPC inventory.

Every expected figure is computed here from the raw SMHI rows, the seeds read with the csv module
and the energy marts, by plain DuckDB and Python, never by the mart SQL under test."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from tests.helpers import REPO

SEEDS = REPO / "dbt_project" / "seeds"
NEWEST_GGT = "2026-06-25"
DALARNA = "20"
BORLANGE = "2081"
UNALLOCATED = "ej fördelat (unallocated)"


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def dec(value) -> Decimal:
    """Tonnes as SMHI writes them (2-3 decimals), exactly: via the shortest repr of the double."""
    return Decimal(repr(float(value)))


def main_sector_rows(con, where: str, params: list) -> list[tuple[str, Decimal]]:
    rows = con.execute(
        f"""
        select huvudsektor_raw, tonnes from raw.smhi_emissions_ggt
        where vintage = ? and year = 2024 and huvudsektor_raw <> 'Alla' and undersektor_raw = 'Alla'
            and {where}""",
        [NEWEST_GGT, *params],
    ).fetchall()
    return [(name, dec(t)) for name, t in rows]


# --------------------------------------------------------------------------- län and Sweden


def test_dalarna_2024_is_its_15_kommuner_plus_smhis_unallocated_part(demo_con):
    dalarna_kommuner = [r["kommun_kod"] for r in seed("scb_kommuner") if r["lan_kod"] == DALARNA]
    assert len(dalarna_kommuner) == 15
    lan_total = sum(
        t for _, t in main_sector_rows(demo_con, "level = 'lan' and lan_kod = ?", [DALARNA])
    )
    marks = ",".join("?" * len(dalarna_kommuner))
    kommun_total = sum(
        t
        for _, t in main_sector_rows(
            demo_con, f"level = 'kommun' and kommun_kod in ({marks})", dalarna_kommuner
        )
    )
    # SMHI's own län row, the sum of its 15 kommuner, and what the län row holds beyond them.
    assert lan_total == Decimal("1587331.24")
    assert kommun_total == Decimal("1587331.26")
    unallocated = lan_total - kommun_total
    assert unallocated == Decimal("-0.02")  # Dalarna: rounding only, SMHI allocates it all

    parts = dict(
        demo_con.execute(
            """
        select part, sum(tonnes) from marts.emissions_area_balance
        where geo_level = 'lan' and area_kod = ? and year = 2024 and gas = 'CO2e' group by part""",
            [DALARNA],
        ).fetchall()
    )
    assert set(parts) == {"kommuner", UNALLOCATED}
    assert round(Decimal(parts["kommuner"]), 6) == kommun_total
    assert round(Decimal(parts[UNALLOCATED]), 6) == unallocated
    members = demo_con.execute(
        """select distinct members from marts.emissions_area_balance
        where area_kod = ? and year = 2024 and gas = 'CO2e' and part = 'kommuner'""",
        [DALARNA],
    ).fetchall()
    assert members == [(15,)]
    mart_total = demo_con.execute(
        """select sum(tonnes) from marts.fct_emissions_lan
        where lan_kod = ? and year = 2024 and gas = 'CO2e'""",
        [DALARNA],
    ).fetchone()[0]
    assert round(Decimal(mart_total), 6) == lan_total


def test_sweden_2024_is_its_21_lan_plus_smhis_unallocated_part(demo_con):
    riket = sum(t for _, t in main_sector_rows(demo_con, "level = 'riket'", []))
    lan = sum(t for _, t in main_sector_rows(demo_con, "level = 'lan'", []))
    n_lan = demo_con.execute(
        "select count(distinct lan_kod) from raw.smhi_emissions_ggt where level = 'lan'"
        " and vintage = ?",
        [NEWEST_GGT],
    ).fetchone()[0]
    assert n_lan == 21
    assert riket == Decimal("47649263.88")
    assert lan == Decimal("47466637.12")
    assert riket - lan == Decimal("182626.76")  # national emissions SMHI allocates to no län
    parts = dict(
        demo_con.execute("""
        select part, sum(tonnes) from marts.emissions_area_balance
        where geo_level = 'riket' and year = 2024 and gas = 'CO2e' group by part""").fetchall()
    )
    assert round(Decimal(parts["län"]), 6) == lan
    assert round(Decimal(parts[UNALLOCATED]), 6) == riket - lan
    # Most of it is transport: domestic aviation and shipping SMHI does not map to a län.
    transport = demo_con.execute(f"""select tonnes from marts.emissions_area_balance where geo_level
        = 'riket'
        and year = 2024 and gas = 'CO2e' and part = '{UNALLOCATED}' and huvudsektor =
            'Transporter'""").fetchone()[0]
    assert round(Decimal(transport), 2) == Decimal("171453.33")
    national = demo_con.execute(
        "select sum(tonnes) from marts.fct_emissions_sweden where year = 2024 and gas = 'CO2e'"
    ).fetchone()[0]
    assert round(Decimal(national), 6) == riket


def test_every_area_balances_exactly_in_every_year(demo_con):
    """For every län and Sweden, gas, year and sector, the parts add up to SMHI's own row."""
    off = demo_con.execute("""
        select geo_level, area_kod, year, gas, huvudsektor, max(area_tonnes) - sum(tonnes) as gap
        from marts.emissions_area_balance group by all having abs(gap) > 1e-6""").fetchall()
    assert off == []
    areas = demo_con.execute(
        "select count(distinct area_kod) from marts.emissions_area_balance"
    ).fetchone()[0]
    assert areas == 22


# --------------------------------------------------------------------------- GPC


@pytest.fixture(scope="module")
def mapping():
    return seed("gpc_sector_mapping")


def test_every_smhi_sector_code_is_mapped_to_the_gpc(mapping, demo_con):
    mapped = {r["input_code"] for r in mapping if r["input"] == "smhi_ned"}
    codes = {
        c
        for (c,) in demo_con.execute(
            "select distinct coalesce(undersektor_code, huvudsektor_code) from marts.fct_emissions"
        ).fetchall()
    }
    assert codes - mapped == set()
    # every judgement call carries its reason
    international = [r for r in mapping if r["input_code"].startswith("international_transport")]
    assert international and all(
        r["scope"] == "3" and r["in_basic"] == "false" and r["note"] for r in international
    )
    (el,) = [r for r in mapping if r["input_code"] == "electricity_district_heating"]
    assert (el["gpc_ref"], el["scope"], el["in_basic"], el["in_basic_plus"]) == (
        "I.4.4",
        "1",
        "false",
        "false",
    )


def _hand_inventory(con, mapping) -> dict[str, Decimal]:
    """Borlänge 2024 by hand: SMHI's main-sector rows through the seed, scope 2 from the energy
    marts."""
    code_of = {
        r["raw_name"]: r["sector_code"]
        for r in seed("smhi_sector_names")
        if r["level"] == "huvudsektor"
    }
    by_code = {
        r["input_code"]: r
        for r in mapping
        if r["input"] == "smhi_ned" and r["input_level"] == "huvudsektor"
    }
    totals = {
        "scope1": Decimal(0),
        "scope3": Decimal(0),
        "basic": Decimal(0),
        "basic_plus": Decimal(0),
        "smhi": Decimal(0),
        "scope2": Decimal(0),
    }
    for raw_name, tonnes in main_sector_rows(
        con, "level = 'kommun' and kommun_kod = ?", [BORLANGE]
    ):
        row = by_code[code_of[raw_name]]
        totals["smhi"] += tonnes
        totals["scope" + row["scope"]] += tonnes
        totals["basic"] += tonnes if row["in_basic"] == "true" else 0
        totals["basic_plus"] += tonnes if row["in_basic_plus"] == "true" else 0
    (grid,) = seed("grid_emission_factors")
    scope2 = {
        "scb_kre_electricity": ("16", float(grid["factor"])),
        "district_heating": ("14", None),
    }
    heat_value = con.execute("""select sum(heat_emissions_t) * 1000.0 / sum(delivered_mwh)
        from marts.fct_district_heating_climate_value where year = 2024 and
            is_default_method""").fetchone()[0]
    for row in mapping:
        if row["input"] not in scope2:
            continue
        fuel, factor = scope2[row["input"]]
        mwh = con.execute(
            """select mwh from marts.fct_energy_use where kommun_kod = ? and year = 2024
            and sector_code = ? and fuel_code = ?""",
            [BORLANGE, row["input_code"], fuel],
        ).fetchone()[0]
        tonnes = Decimal(mwh * (factor if factor is not None else heat_value) / 1000.0)
        totals["scope2"] += tonnes
        assert row["in_basic"] == row["in_basic_plus"] == "true"
        totals["basic"] += tonnes
        totals["basic_plus"] += tonnes
    return totals


def test_borlange_gpc_basic_and_basic_plus_2024(mapping, demo_con):
    hand = _hand_inventory(demo_con, mapping)
    mart = dict(
        demo_con.execute(
            """
        select 'basic', sum(tonnes) filter (where in_basic) from marts.fct_gpc_inventory where
            kommun_kod = ? and year = 2024
        union all select 'basic_plus', sum(tonnes) filter (where in_basic_plus) from
            marts.fct_gpc_inventory
            where kommun_kod = ? and year = 2024
        union all select 'scope2', sum(tonnes) filter (where scope = 2) from marts.fct_gpc_inventory
            where kommun_kod = ? and year = 2024""",
            [BORLANGE] * 3,
        ).fetchall()
    )
    # SMHI's 9 main sectors for Borlänge 2024 (GGT release 2026-06-25) and the scope split the seed
    # makes
    assert hand["smhi"] == Decimal("423795.83")
    assert hand["scope3"] == Decimal("45.41")  # Utrikes transporter
    # scope 2 (location-based), from SCB's (synthetic) energy use and the energy feed's climate
    # value
    assert float(hand["scope2"]) == pytest.approx(64345.032646, abs=1e-6)
    assert mart["scope2"] == pytest.approx(float(hand["scope2"]), abs=1e-6)
    # BASIC = scope 1 without I.4.4, IPPU and AFOLU, plus scope 2; BASIC+ adds them and
    # transboundary transport
    assert float(hand["basic"]) == pytest.approx(423508.782646, abs=1e-6)
    assert float(hand["basic_plus"]) == pytest.approx(441373.892646, abs=1e-6)
    assert mart["basic"] == pytest.approx(float(hand["basic"]), abs=1e-6)
    assert mart["basic_plus"] == pytest.approx(float(hand["basic_plus"]), abs=1e-6)


def test_scope1_total_is_smhis_total_minus_what_leaves_the_territory(mapping, demo_con):
    """Scope 1 (the territorial total, I.4.4 included) = SMHI's sectors minus what the seed puts in
    scope 3."""
    outside = {r["input_code"] for r in mapping if r["input"] == "smhi_ned" and r["scope"] != "1"}
    rows = demo_con.execute(
        """
        select kommun_kod, year, sum(cast(tonnes as decimal(38, 6))) as total,
               sum(cast(tonnes as decimal(38, 6))) filter (where coalesce(undersektor_code,
                   huvudsektor_code)
                   in (select unnest(?))) as outside
        from marts.fct_emissions where gas = 'CO2e' group by all""",
        [sorted(outside)],
    ).fetchall()
    expected = {(k, y): total - (out or 0) for k, y, total, out in rows}
    scope1 = dict(
        ((k, y), Decimal(t))
        for k, y, t in demo_con.execute("""
        select kommun_kod, year, sum(cast(tonnes as decimal(38, 6))) from marts.fct_gpc_inventory
        where scope = 1 group by all""").fetchall()
    )
    assert (
        len(expected) == 290 * 10 + 290 * 4
    )  # 10 years in the 2026 release, 2016-2019 from 2025's
    assert scope1 == expected
    assert expected[(BORLANGE, 2024)] == Decimal("423750.42")


def test_basic_plus_direct_emissions_are_smhis_total_minus_what_the_mapping_puts_outside_basic_plus(
    mapping, demo_con
):
    """BASIC+ without scope 2 = SMHI's sectors minus the rows the seed keeps out of BASIC+ (I.4.4
    only)."""
    outside = {
        r["input_code"]
        for r in mapping
        if r["input"] == "smhi_ned" and r["in_basic_plus"] == "false"
    }
    assert outside == {"electricity_district_heating"}
    expected = {
        (k, y): total - (out or 0)
        for k, y, total, out in demo_con.execute(
            """
        select kommun_kod, year, sum(cast(tonnes as decimal(38, 6))),
               sum(cast(tonnes as decimal(38, 6))) filter (where huvudsektor_code in (select
                   unnest(?)))
        from marts.fct_emissions where gas = 'CO2e' group by all""",
            [sorted(outside)],
        ).fetchall()
    }
    direct = dict(
        ((k, y), Decimal(t))
        for k, y, t in demo_con.execute("""
        select kommun_kod, year, sum(cast(tonnes as decimal(38, 6))) from marts.fct_gpc_inventory
        where in_basic_plus and scope <> 2 group by all""").fetchall()
    )
    assert direct == expected
    assert expected[(BORLANGE, 2024)] == Decimal("423795.83") - Decimal("46766.97")


def test_missing_figures_carry_gpc_notation_keys(demo_con):
    keys = dict(
        demo_con.execute(
            """select gpc_ref, notation_key from marts.fct_gpc_inventory
        where kommun_kod = ? and year = 2024 and tonnes is null""",
            [BORLANGE],
        ).fetchall()
    )
    assert keys["IV.1"] == "IE"  # SMHI's industry includes its processes
    assert keys["II.2.1"] == "IE"  # rail is inside Transporter in a main-sector release
    assert keys["V.2"] == "NE"  # no LULUCF per kommun
    assert keys["I.7.1"] == "NO"
    assert set(keys.values()) <= {"NO", "IE", "NE", "C"}


# --------------------------------------------------------------------------- CRF export


def test_crf_export_opens_with_the_sector_table(mapping, demo_warehouse, tmp_path, capsys):
    import duckdb
    import openpyxl

    from pipelines.cli import main
    from pipelines.defs.frameworks.crf import DETAIL_SHEET, HEADER, HEADER_ROW, KEYS_SHEET, SHEET

    out = tmp_path / "crf.xlsx"
    assert (
        main(
            [
                "gpc",
                "export",
                "--kommun",
                BORLANGE,
                "--year",
                "2024",
                "--out",
                str(out),
                "--warehouse",
                str(demo_warehouse.warehouse.path),
            ]
        )
        == 0
    )
    assert "BASIC 423,509 t" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == [SHEET, DETAIL_SHEET, KEYS_SHEET]
    rows = [tuple(r) for r in wb[SHEET].iter_rows(values_only=True)]
    assert rows[HEADER_ROW - 1][: len(HEADER)] == HEADER
    by_subsector = {r[1]: r for r in rows[HEADER_ROW:] if r[1]}
    with duckdb.connect(str(demo_warehouse.warehouse.path), read_only=True) as con:
        el = dict(main_sector_rows(con, "level = 'kommun' and kommun_kod = ?", [BORLANGE]))
        hand = _hand_inventory(con, mapping)
    generation = by_subsector["Energy generation supplied to the grid"]
    assert generation[2] == "I.4.4" and dec(generation[3]) == el["El och fjärrvärme"] == Decimal(
        "46766.97"
    )
    assert by_subsector["Industrial processes"][3:5] == (None, "IE")
    assert by_subsector["Land"][3:5] == (None, "NE")
    assert dec(by_subsector["Aviation"][7]) == el["Utrikes transporter"]  # scope 3, BASIC+ only
    totals = {r[0]: r[9] for r in rows if r[0] and r[0].endswith("total")}
    assert totals["BASIC total"] == pytest.approx(float(hand["basic"]), abs=1e-6)
    assert totals["BASIC+ total"] == pytest.approx(float(hand["basic_plus"]), abs=1e-6)
    keys = [r[0] for r in wb[KEYS_SHEET].iter_rows(min_row=2, values_only=True)]
    assert keys == ["NO", "IE", "NE", "C"]
    wb.close()


def test_crf_export_neutralises_formula_like_text(tmp_path):
    import duckdb
    import openpyxl

    from pipelines.defs.frameworks.crf import DETAIL_SHEET, write_crf_workbook

    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("""create table marts.fct_gpc_inventory as select '9999' as kommun_kod, 2024 as
        year,
        'I.1.1' as gpc_ref, 'I Stationary energy' as gpc_sector, 'Residential' as gpc_subsector, 1
            as scope,
        true as in_basic, true as in_basic_plus, 10.0 as tonnes, null as notation_key,
        '=HYPERLINK("http://x")' as source, date '2026-06-25' as vintage, false as is_synthetic""")
    write_crf_workbook(con, "9999", 2024, tmp_path / "x.xlsx", kommun_namn="@evil")
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx", read_only=True)
    detail = [r for r in wb[DETAIL_SHEET].iter_rows(min_row=2, values_only=True)]
    assert detail[0][8] == '\'=HYPERLINK("http://x")'
    assert not any(
        isinstance(v, str) and v.startswith(("=", "@", "+", "-"))
        for ws in wb.worksheets
        for r in ws.iter_rows(values_only=True)
        for v in r
    )
    wb.close()


# ------------------------------------------------------------------------- län trajectories, report


def test_every_lan_has_a_trajectory_under_each_method_on_its_own_total(demo_con):
    rows = demo_con.execute(
        "select method, count(*), count(*) filter (where scope_status = 'complete')"
        " from marts.trajectory_lan group by method order by method"
    ).fetchall()
    assert rows == [("carbon_budget", 21, 21), ("carbon_law", 21, 21), ("carbon_law_1_7c", 21, 21)]
    (used,) = demo_con.execute(
        """select emissions_t from trajectory.lan_yearly_paths
        where lan_kod = ? and method = 'carbon_law' and year = 2024 and emissions_kind =
            'actual'""",
        [DALARNA],
    ).fetchone()
    lan_total = sum(
        t for _, t in main_sector_rows(demo_con, "level = 'lan' and lan_kod = ?", [DALARNA])
    )
    assert round(Decimal(used), 6) == lan_total == Decimal("1587331.24")
    # the kommun outputs keep their own table and keys
    assert (
        demo_con.execute("select count(distinct kommun_kod) from marts.trajectory").fetchone()[0]
        == 290
    )


def test_report_shows_the_rank_in_lan_and_the_indicators(demo_warehouse, demo_con):
    import re

    (page,) = demo_warehouse.report.dir.glob("klimatrapport_2081_*.html")
    values = dict(
        re.findall(r'data-fact="([^"]+)" data-value="([^"]*)"', page.read_text(encoding="utf-8"))
    )
    rank, of = demo_con.execute(
        """select rank_in_lan, kommuner_in_lan from marts.emissions_rank_in_lan
        where kommun_kod = ? and gas = 'CO2e' and year = 2024""",
        [BORLANGE],
    ).fetchone()
    assert int(values["rank_in_lan"]) == rank and of == 15
    # Kolada's N07702 (derived: SMHI's 423 795.822 t rounded) beside the computed per-resident value
    assert float(values["indicator:ghg_total:2024"]) == 423796.0
    per_capita = demo_con.execute(
        """select tonnes_per_capita from marts.emissions_per_capita
        where kommun_kod = ? and year = 2024 and gas = 'CO2e'""",
        [BORLANGE],
    ).fetchone()[0]
    assert float(values["indicator:ghg_per_resident_computed:2024"]) == pytest.approx(per_capita)
    # the renewable share the warehouse computes from the energy feed: 100 x (1 - fossil MWh / fuel
    # MWh)
    fossil, fuel = demo_con.execute("""select sum(fossil_mwh), sum(fuel_mwh) from
            intermediate.int_energy__fuel_emissions
        where year = 2024""").fetchone()
    assert float(
        values["indicator:district_heating_renewable_share_computed:2024"]
    ) == pytest.approx(100 * (1 - fossil / fuel))
    assert "8. Indikatorer" in page.read_text(encoding="utf-8")
