"""Carbon sinks and the climate-neutrality balance (issue 6).

The demo warehouse (session fixture) carries the real national LULUCF series (Naturvårdsverket via
Klimatkollen's workbook) and the SYNTHETIC forest-land key of the replay payload (Sundbyberg 0183 at
0 ha). One extra test loads a partner removal and a national series with a missing year into a copy
and rebuilds the sink models only."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.partners import loads as partner_loads
from pipelines.defs.sinks import loads as sink_loads
from pipelines.lib.dbt import vars_argument
from pipelines.lib.warehouse import Store
from pipelines.settings import Settings
from replay.build_nowcast_payloads import build_national_table
from replay.build_sinks_payloads import (
    DEFAULT_SHARED,
    build_forest_land,
    build_lulucf,
    parse_swedish_number,
)
from replay.scb import PAYLOAD_DIR, ScbHandler
from replay.server import ReplayServer
from sources.scb import PxWebClient
from tests.helpers import REPO
from tests.partners.test_partner_loads import drop_submission, submission_csv

BORLANGE = "2081"
NO_FOREST = "0183"
# Terr_LULUCF, row 'Sverige' (t CO2/yr, negative = net removal)
NATIONAL_2024_T, NATIONAL_1990_T = -54_240_000, -59_560_000
BORLANGE_2024_CO2E_T = 423_796  # make demo's headline (SMHI 2026 release)
BORLANGE_2030_TREND_T = 364_821  # carbon_law trend in 2030 (methods.md §4.5, test_partner_loads)
OWN_FOREST_T = 3_500 * 2.3  # local_sinks.csv: 3 500 ha (borlange.se) × 2.3 t/ha (assumption)


def test_swedish_numbers_parse():
    assert parse_swedish_number("-59 560 000") == -59_560_000
    assert parse_swedish_number("-1\u00a0234,5") == -1234.5
    assert parse_swedish_number(-3.0) == -3.0


@pytest.mark.skipif(
    not DEFAULT_SHARED.exists(), reason="../shared/data/klimatkollen is not beside the repo"
)
def test_bundled_payloads_are_what_the_builder_makes():
    bundled = {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in PAYLOAD_DIR.glob("*.json")
    }
    table = bundled["TotaltUtslappN"]  # LULUCF (build_lulucf) plus the nowcast's main sectors
    lulucf = build_lulucf(DEFAULT_SHARED)
    assert table == json.loads(json.dumps(build_national_table(DEFAULT_SHARED)))
    years = len(lulucf["cube"]["value"])
    sector_10 = table["metadata"]["dimension"]["Sektor"]["category"]["index"]["10.0"]
    per_sector = len(table["cube"]["value"]) // len(
        table["metadata"]["dimension"]["Sektor"]["category"]["index"]
    )
    first = sector_10 * per_sector  # 10.0 x CO2-ekv. (the first gas) x every year
    assert table["cube"]["value"][first : first + years] == lulucf["cube"]["value"]
    assert bundled["TAB5118"] == json.loads(json.dumps(build_forest_land()))
    assert bundled["TAB5118"]["metadata"]["extension"]["replay"]["synthetic"] is True


def test_national_lulucf_is_conserved_every_year(demo_con):
    rows = demo_con.execute("""
        select n.year, n.lulucf_net_t, sum(s.tonnes_co2_removed), count(s.kommun_kod)
        from staging.stg_scb__lulucf_national n
        left join marts.fct_carbon_sinks s on s.year = n.year and s.method = 'estimate_downscaled'
        group by 1, 2 order by 1""").fetchall()
    assert [r[0] for r in rows] == list(range(1990, 2025))
    national = {year: net for year, net, _, _ in rows}
    assert (
        national[2024] == NATIONAL_2024_T and national[1990] == NATIONAL_1990_T
    )  # kt in the payload, t here
    for year, net, kommun_sum, kommuner in rows:
        assert kommuner == 290
        assert kommun_sum == pytest.approx(-net, abs=1.0), year


def test_each_year_uses_the_nearest_key_year_and_says_so(demo_con):
    key_years = dict(
        demo_con.execute("""
        select distinct year, allocation_key_year from marts.fct_carbon_sinks
        where method = 'estimate_downscaled'""").fetchall()
    )
    # key years 2010, 2015, 2020: 1990 -> 2010, 2012 -> 2010, 2013 -> 2015, 2018 -> 2020, 2024 ->
    # 2020
    assert (
        key_years[1990],
        key_years[2012],
        key_years[2013],
        key_years[2018],
        key_years[2024],
    ) == (2010, 2010, 2015, 2020, 2020)
    missing = demo_con.execute("""select count(*) from marts.fct_carbon_sinks where method =
        'estimate_downscaled'
                                  and (allocation_key is null or allocation_key_year is
                                      null)""").fetchall()[0][0]
    assert missing == 0


def test_borlange_shows_each_source_with_its_quality_class(demo_con):
    hectares, national_hectares = demo_con.execute(
        """
        select sum(hectares) filter (where kommun_kod = ?), sum(hectares)
        from staging.stg_scb__forest_land where year = 2020""",
        [BORLANGE],
    ).fetchall()[0]
    rows = {
        r[0]: r[1:]
        for r in demo_con.execute(
            """
        select sink_type, source_id, quality_class, method, permanence, tonnes_co2_removed,
            value_status,
               key_is_synthetic
        from marts.fct_carbon_sinks where kommun_kod = ? and year = 2024""",
            [BORLANGE],
        ).fetchall()
    }
    assert set(rows) == {"forest_land_lulucf", "own_forest_estate"}
    lulucf = rows["forest_land_lulucf"]
    assert lulucf[:4] == ("scb_lulucf", "downscaled", "estimate_downscaled", "under 100 år")
    assert lulucf[4] == pytest.approx(54_240_000 * hectares / national_hectares, abs=0.01)
    assert lulucf[5:] == ("synthetic", True)  # the bundled key is made up, and says so
    assert rows["own_forest_estate"][:2] == ("local_sinks_seed", "modelled")
    assert rows["own_forest_estate"][4:6] == (pytest.approx(OWN_FOREST_T), "assumption")

    balance = demo_con.sql(
        """select * from marts.climate_neutrality_balance
                              where kommun_kod = ? and year in (2024, 2030)""",
        params=[BORLANGE],
    ).pl()
    observed = balance.filter(basis="observed").to_dicts()[0]
    assert observed["gross_emissions_t"] == pytest.approx(BORLANGE_2024_CO2E_T, abs=1)
    assert observed["removals_downscaled_t"] == pytest.approx(lulucf[4])
    assert observed["removals_modelled_t"] == pytest.approx(OWN_FOREST_T)
    # The own forest estate is inside the forest the inventory measures: counted once, in the total.
    assert observed["removals_total_t"] == pytest.approx(lulucf[4])
    assert observed["net_total_t"] == pytest.approx(BORLANGE_2024_CO2E_T - lulucf[4], abs=1)
    # Default threshold (reported, 100–1000 år): neither forest estimate counts.
    assert (observed["min_quality_class"], observed["removals_eligible_t"]) == ("reported", 0)
    assert observed["residual_covered"] is False
    projection = balance.filter(basis="projection").to_dicts()[0]
    assert projection["year"] == 2030 and projection["sink_years_to"] == 2024
    assert projection["gross_emissions_t"] == pytest.approx(BORLANGE_2030_TREND_T, abs=1)
    assert projection["net_eligible_t"] == pytest.approx(BORLANGE_2030_TREND_T, abs=1)


def test_a_kommun_without_forest_land_gets_a_zero_sink(demo_con):
    rows = demo_con.execute(
        """
        select count(*), max(tonnes_co2_removed), max(allocation_share) from marts.fct_carbon_sinks
        where kommun_kod = ? and method = 'estimate_downscaled'""",
        [NO_FOREST],
    ).fetchall()[0]
    assert rows == (35, 0.0, 0.0)
    downscaled, available = demo_con.execute(
        """
        select removals_downscaled_t, lulucf_available from marts.climate_neutrality_balance
        where kommun_kod = ? and year = 2024 and basis = 'observed'""",
        [NO_FOREST],
    ).fetchall()[0]
    assert (downscaled, available) == (0.0, True)  # known to be zero, not unknown


def served_lulucf_without(year: int) -> dict:
    """The bundled national payload with `year` as SCB's '..' (not available)."""
    payload = json.loads((PAYLOAD_DIR / "TotaltUtslappN.json").read_text(encoding="utf-8"))
    # The table also holds the main sectors (the nowcast's): find LULUCF's cell, row-major.
    cell = {
        "Sektor": "10.0",
        "Vaxthusgaser": "CO2-ekv.",
        "ContentsCode": "0000018Q",
        "Tid": str(year),
    }
    index = 0
    for dim in payload["cube"]["id"]:
        codes = list(payload["metadata"]["dimension"][dim]["category"]["index"])
        index = index * len(codes) + codes.index(cell[dim])
    payload["cube"]["value"][index] = None
    payload["cube"]["status"][str(index)] = ".."
    return payload


def test_low_permanence_removal_is_left_out_and_a_year_without_lulucf_stays_unknown(
    demo_warehouse, tmp_path
):
    """A copy of the demo warehouse gets Tunabyggen's 2024 removals (synthetic: biochar 40 t,
    100–1000 år; tree planting 25 t, under 100 år) and a national series without 2023; the sink
    models are
    rebuilt."""
    store = Store(tmp_path / "wh" / "borlange.duckdb", tmp_path / "wh" / "landing")
    store.warehouse_path.parent.mkdir(parents=True)
    shutil.copy(demo_warehouse.warehouse.path, store.warehouse_path)
    drop_submission(
        tmp_path / "inbox",
        "tunabyggen",
        "tunabyggen_2024.csv",
        submission_csv(
            "tunabyggen",
            2024,
            emissions=[(2, "Fjärrvärme", "1 200", "platsbaserad", True)],
            removals=[
                ("biokol", "40", "leverantörsintyg", "100–1000 år"),
                ("trädplantering", "25", "planterade plantor × schablon", "under 100 år"),
            ],
        ),
    )
    assert partner_loads.process_drop(tmp_path / "inbox", store, today=date(2026, 11, 22)).accepted
    server = ReplayServer([ScbHandler(tables={"TotaltUtslappN": served_lulucf_without(2023)})])
    server.start()
    try:
        report = sink_loads.load_lulucf_national(PxWebClient(f"{server.url}/api/v2"), store)
    finally:
        server.stop()
    assert report.rows_inserted == 35 and not report.synthetic

    settings = Settings.from_env(
        {"WAREHOUSE_PATH": str(store.warehouse_path)}
    )  # the default thresholds
    dbt = Path(sys.executable).with_name("dbt")
    build = subprocess.run(
        [
            str(dbt),
            "build",
            "--project-dir",
            str(REPO / "dbt_project"),
            "--profiles-dir",
            str(REPO / "dbt_project"),
            "--target-path",
            str(tmp_path / "dbt_target"),
            "--select",
            "stg_partners__submissions stg_partners__removals fct_partner_removals "
            "stg_scb__lulucf_national int_sinks__lulucf_downscaled fct_carbon_sinks "
            "climate_neutrality_balance assert_downscaled_lulucf_sums_to_national",
            *vars_argument(settings),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout[-3000:]

    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        partner = dict(
            con.execute("""select sink_type, quality_class from marts.fct_carbon_sinks
                                      where source_id = 'partner_removals'""").fetchall()
        )
        assert partner == {"biokol": "reported", "trädplantering": "reported"}
        row = (
            con.sql(
                """select * from marts.climate_neutrality_balance
                         where kommun_kod = ? and year = 2024 and basis = 'observed'""",
                params=[BORLANGE],
            )
            .pl()
            .to_dicts()[0]
        )
        assert row["removals_reported_t"] == 65
        assert row["removals_eligible_t"] == 40  # the tree planting (under 100 år) is left out ...
        assert row["excluded_low_permanence_t"] == 25  # ... and shown as such
        assert row["net_eligible_t"] == pytest.approx(BORLANGE_2024_CO2E_T - 40, abs=1)
        assert row["residual_covered"] is False
        # In the total each tonne once: the planted trees are part of the downscaled forest sink.
        assert row["removals_total_t"] == pytest.approx(row["removals_downscaled_t"] + 40)

        assert (
            con.execute("""select count(*) from marts.fct_carbon_sinks
                              where year = 2023 and method = 'estimate_downscaled'""").fetchall()[
                0
            ][0]
            == 0
        )
        gap = (
            con.sql(
                """select * from marts.climate_neutrality_balance
                         where kommun_kod = ? and year = 2023 and basis = 'observed'""",
                params=[BORLANGE],
            )
            .pl()
            .to_dicts()[0]
        )
        assert gap["lulucf_available"] is False
        assert (
            gap["removals_downscaled_t"] is None
            and gap["removals_total_t"] is None
            and gap["net_total_t"] is None
        )
        assert (
            gap["gross_emissions_t"] > 0
            and gap["removals_eligible_t"] == 0
            and gap["residual_covered"] is False
        )
        # The other years are untouched by the gap.
        assert con.execute("""select sum(tonnes_co2_removed) from marts.fct_carbon_sinks
                              where year = 2022 and method = 'estimate_downscaled'""").fetchall()[
            0
        ][0] == pytest.approx(43_150_000, abs=1)


def test_the_balance_is_built_in_the_dbt_op_after_the_trajectory():
    import dagster as dg

    from pipelines.definitions import build_definitions

    graph = build_definitions().resolve_asset_graph()
    balance = graph.get(dg.AssetKey(["marts", "climate_neutrality_balance"]))
    upstream = dg.AssetSelection.assets(balance.key).upstream().resolve(graph)
    assert (
        dg.AssetKey(["trajectory", "yearly_paths"]) in upstream
    )  # through stg_trajectory__yearly_paths
    assert balance.assets_def.op.name == "budget_dbt_models"
    assert (
        graph.get(dg.AssetKey(["marts", "fct_carbon_sinks"])).assets_def.op.name
        == "warehouse_dbt_models"
    )
    lineage = dg.AssetSelection.assets(balance.key).upstream().resolve(graph)
    assert {
        dg.AssetKey(["raw", "scb_lulucf_national"]),
        dg.AssetKey(["raw", "scb_forest_land"]),
        dg.AssetKey(["marts", "fct_partner_removals"]),
    } <= lineage


def test_county_forest_source_is_documented_not_faked():
    from sources.sinks import CountyForestUnavailable, RiksskogstaxeringenCountyForest

    with pytest.raises(CountyForestUnavailable, match="Riksskogstaxeringen"):
        RiksskogstaxeringenCountyForest().fetch()
