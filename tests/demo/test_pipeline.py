"""End to end: `make demo`'s materialization on the bundled real data, asserted against
Borlänge's published figures (reference/methods.md §4.1–4.3)."""

from __future__ import annotations

import pytest

BORLANGE = "2081"

# methods.md §4.1: SMHI release of about June 2026, t CO2e.
SECTORS_2024 = {
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


def total(con, kommun, year, gas="CO2e"):
    return con.execute(
        "select sum(tonnes) from marts.fct_emissions where kommun_kod = ? and year = ? and gas = ?",
        [kommun, year, gas],
    ).fetchone()[0]


def test_borlange_2024_total_matches_published(demo_con):
    assert total(demo_con, BORLANGE, 2024) == pytest.approx(423_796, abs=1)


def test_borlange_1990_total_matches_published(demo_con):
    assert total(demo_con, BORLANGE, 1990) == pytest.approx(539_459, abs=1)


def test_borlange_2024_per_capita(demo_con):
    population, per_capita = demo_con.execute(
        "select population, tonnes_per_capita from marts.emissions_per_capita "
        "where kommun_kod = ? and year = 2024 and gas = 'CO2e'",
        [BORLANGE],
    ).fetchone()
    assert population == 51_425
    assert round(per_capita, 2) == 8.24


def test_borlange_2024_sector_split(demo_con):
    rows = dict(
        demo_con.execute(
            "select huvudsektor, sum(tonnes) from marts.fct_emissions "
            "where kommun_kod = ? and year = 2024 and gas = 'CO2e' group by 1",
            [BORLANGE],
        ).fetchall()
    )
    assert rows.keys() == SECTORS_2024.keys()
    for sector, tonnes in SECTORS_2024.items():
        assert rows[sector] == pytest.approx(tonnes, abs=1), sector


def test_main_sector_only_release_has_null_undersektor(demo_con):
    subsectors = demo_con.execute(
        "select count(*) from marts.fct_emissions where gas = 'CO2e' and undersektor is not null"
    ).fetchone()[0]
    assert subsectors == 0


def test_co2_release_keeps_subsectors_and_sums_to_total(demo_con):
    # methods.md §4.3/§4.4: CO2, SMHI export of 2024-04-18; transport 2022 = 60,395 t.
    transport = demo_con.execute(
        "select sum(tonnes), count(*) from marts.fct_emissions where kommun_kod = ? and year = "
        "2022 and gas = 'CO2' and huvudsektor = 'Transporter'",
        [BORLANGE],
    ).fetchone()
    assert transport[0] == pytest.approx(60_395, abs=1)
    assert transport[1] > 1
    assert total(demo_con, BORLANGE, 1990, gas="CO2") == pytest.approx(499_382, abs=1)


def test_revisions_show_2023_under_both_vintages(demo_con):
    rows = demo_con.execute(
        "select vintage::varchar, tonnes, previous_vintage::varchar, previous_tonnes from "
        "marts.emission_revisions where kommun_kod = ? and gas = 'CO2e' and year = 2023 and "
        "huvudsektor = 'Alla' order by vintage",
        [BORLANGE],
    ).fetchall()
    assert [r[0] for r in rows] == ["2026-04-23", "2026-06-25"]
    assert rows[0][1] == pytest.approx(407_955, abs=1)
    assert rows[1][1] == pytest.approx(408_043, abs=1)
    assert rows[1][2:] == ("2026-04-23", pytest.approx(407_955, abs=1))


def test_years_dropped_by_newest_release_keep_previous_vintage(demo_con):
    row = demo_con.execute(
        "select sum(tonnes), any_value(vintage)::varchar, bool_and(in_latest_release) from "
        "marts.fct_emissions where kommun_kod = ? and year = 2016 and gas = 'CO2e'",
        [BORLANGE],
    ).fetchone()
    assert row[0] == pytest.approx(454_502, abs=1)
    assert row[1:] == ("2026-04-23", False)


def test_all_kommuner_present(demo_con):
    for gas in ("CO2e", "CO2"):
        n = demo_con.execute(
            "select count(distinct kommun_kod) from marts.fct_emissions where gas = ?", [gas]
        ).fetchone()[0]
        assert n == 290, gas
    assert demo_con.execute("select count(*) from marts.dim_kommun").fetchone()[0] == 290


def test_every_fact_is_traceable(demo_con):
    missing = demo_con.execute("""
        select count(*) from marts.fct_emissions
        where vintage is null or unit is null or gas is null or method is null
           or source_file_sha256 is null or source_row is null""").fetchone()[0]
    assert missing == 0
    landed = demo_con.execute("""
        select count(*) from (select distinct source_file_sha256 from marts.fct_emissions) f
        join raw.landed_files l on l.sha256 = f.source_file_sha256""").fetchone()[0]
    assert landed == 3  # two GGT releases and one CO2 release


def test_sector_reallocation_of_2024_is_flagged(demo_con):
    # methods.md §4.1: Borlänge's transport rose 26 % in 2024, mostly an SMHI reallocation.
    flagged = demo_con.execute(
        "select change_share from audit.warn_sector_yoy_change "
        "where kommun_kod = ? and gas = 'CO2e' and huvudsektor = 'Transporter' and year = 2024",
        [BORLANGE],
    ).fetchone()
    assert flagged is not None and flagged[0] == pytest.approx(78_922 / 62_730 - 1, abs=0.001)


def test_subsector_gaps_are_explicit_residual_rows(demo_con):
    # In SMHI's CO2 export the subsectors of Avfall do not add up to the sector; the gap is a
    # labelled residual row, so that the kommun total still equals SMHI's own total.
    residual, sector = demo_con.execute(
        """
        select sum(tonnes) filter (where is_subsector_residual), sum(tonnes)
        from marts.fct_emissions
        where kommun_kod = ? and gas = 'CO2' and year = 2019 and huvudsektor =
            'Avfall (inkl.avlopp)'""",
        [BORLANGE],
    ).fetchone()
    assert sector == pytest.approx(66.0, abs=0.01)
    assert residual == pytest.approx(66.0, abs=0.01)
    assert total(demo_con, BORLANGE, 2019, gas="CO2") == pytest.approx(384_326, abs=1)
