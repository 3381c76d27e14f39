"""Borlänge Energi's reports from the inbox to the marts, and SCB's energy statistics.

The loads run as plain Python; one `dbt build` of the energy models builds a small warehouse
(module fixture); the SMHI comparison uses the session demo warehouse. Every figure is SYNTHETIC
(tests/fixtures/energy/make_fixtures.py, replay/build_scb_energy_payloads.py) and worked out by
hand below.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.energy import assets as energy
from pipelines.defs.energy import loads as energy_loads
from pipelines.defs.energy.scb_energy import load_scb_energy
from pipelines.defs.energy.smhi_comparison import compare_with_smhi
from pipelines.lib import warehouse
from pipelines.lib.dbt import vars_argument
from pipelines.lib.warehouse import Store
from pipelines.resources import InboxResource, TolerancesResource, WarehouseResource
from pipelines.settings import DBT_PROJECT_DIR, Settings
from tests.energy.test_energy_feed import BAD_FILES
from tests.helpers import ENERGY_FIXTURES as FIXTURES
from tests.helpers import energy_fixture_maker as make_fixtures
from tests.helpers import fingerprint, query


def new_store(root: Path) -> Store:
    store = Store(root / "wh" / "borlange.duckdb", root / "wh" / "landing")
    warehouse.connect(store.warehouse_path).close()
    return store


def drop_reports(inbox: Path, *names: str, content: dict[str, bytes] | None = None) -> None:
    """Files into inbox/energy/, in the given order (modification times keep it)."""
    folder = inbox / "energy"
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        target = folder / name
        if content and name in content:
            target.write_bytes(content[name])
        else:
            shutil.copy(FIXTURES / name, target)
        os.utime(target, (1_700_000_000 + i, 1_700_000_000 + i))


def correction_of_march() -> bytes:
    """Borlänge 2025-03 resubmitted: 1 000 MWh moved from Nätförluster (4 153) to Leverans industri
    (5 606,6), so the month still balances."""
    mf = make_fixtures()
    [row] = mf.year_rows(networks=("Borlänge",), months=range(2, 3))
    assert (row["Nätförluster"], row["Leverans industri"]) == (4153.0, 5606.6)
    row.update({"Nätförluster": 3153.0, "Leverans industri": 6606.6})
    return mf.csv_text([row], period=("2025-03", "2025-03")).encode("utf-8")


CORRECTION = "borlange_2025-03_rättelse.csv"


# --------------------------------------------------------------------------- loads (plain Python)


def test_bad_files_are_quarantined_with_a_report_and_the_warehouse_is_unchanged(tmp_path):
    store, inbox = new_store(tmp_path), tmp_path / "inbox"
    drop_reports(inbox, "good_2025_utf8.csv")
    energy_loads.process_drop(inbox, store)
    before = fingerprint(store)

    names = [name for name, *_ in BAD_FILES] + ["bad_mixed_kwh.csv"]
    drop_reports(inbox, *names)
    report = energy_loads.process_drop(inbox, store)

    assert fingerprint(store) == before
    assert report.accepted == [] and sorted(report.rejected) == sorted(f"energy/{n}" for n in names)
    for name, code, row, column, shown in BAD_FILES + [
        (
            "bad_mixed_kwh.csv",
            "balance_mismatch",
            6,
            "Värmeproduktion + Köpt värme = Leverans + Nätförluster",
            None,
        )
    ]:
        problems = report.problems[f"energy/{name}"]
        first = next(p for p in problems if p["code"] == code)
        assert (first["row"], first["column"]) == (row, column), name
        if shown is not None:
            assert first["value"] == shown, name
        # The quarantined file is the original byte for byte, with its report beside it ...
        original = (FIXTURES / name).read_bytes()
        sha = hashlib.sha256(original).hexdigest()
        quarantined = inbox / "quarantine" / "energy" / f"{sha[:12]}_{name}"
        assert quarantined.read_bytes() == original
        text = quarantined.with_name(quarantined.name + ".report.txt").read_text(encoding="utf-8")
        assert f"row {row}" in text if row else True
        assert f"column '{column}'" in text and f"code: {code}" in text and sha in text
        # ... and the landing zone keeps it under its sha256.
        assert (
            store.landing_dir / "borlange_energi" / sha[:2] / f"{sha}.csv"
        ).read_bytes() == original
    assert not list((inbox / "energy").iterdir())


def test_the_same_file_twice_changes_nothing(tmp_path):
    store, inbox = new_store(tmp_path), tmp_path / "inbox"
    drop_reports(inbox, "good_2025_utf8.csv")
    assert energy_loads.process_drop(inbox, store).accepted == ["energy/good_2025_utf8.csv"]
    before = fingerprint(store)
    drop_reports(inbox, "good_2025_utf8.csv")
    report = energy_loads.process_drop(inbox, store)
    assert report.unchanged == ["energy/good_2025_utf8.csv"] and report.accepted == []
    assert fingerprint(store) == before
    # 2 networks x 12 months x 26 columns, once
    assert query(store, "select count(*) from raw.energy_feed_values") == [(624,)]


def test_windows_1252_and_decimal_comma_load_the_same_values_as_utf8(tmp_path):
    utf8, cp1252 = new_store(tmp_path / "a"), new_store(tmp_path / "b")
    drop_reports(tmp_path / "a" / "inbox", "good_2025_utf8.csv")
    drop_reports(tmp_path / "b" / "inbox", "good_2025_cp1252.csv")
    energy_loads.process_drop(tmp_path / "a" / "inbox", utf8)
    energy_loads.process_drop(tmp_path / "b" / "inbox", cp1252)
    sql = (
        "select network, month, measure, category, unit, value from raw.energy_feed_values order "
        "by all"
    )
    assert query(utf8, sql) == query(cp1252, sql)
    # "12589,6" in the file; "Ornäs" survives Windows-1252
    assert query(
        cp1252,
        """select value from raw.energy_feed_values where network = 'Borlänge'
                            and month = '2025-02-01' and measure = 'delivery' and category =
                                'single_family'""",
    ) == [(12589.6,)]
    assert query(
        cp1252, "select count(distinct network) from raw.energy_feed_values where network = 'Ornäs'"
    ) == [(1,)]


def test_a_file_declared_in_kwh_loads_scaled_to_mwh(tmp_path):
    store, inbox = new_store(tmp_path), tmp_path / "inbox"
    drop_reports(inbox, "good_2025q1_kwh_declared.csv")
    assert energy_loads.process_drop(inbox, store).accepted == [
        "energy/good_2025q1_kwh_declared.csv"
    ]
    # Bränsle restavfall: 24 300 000 kWh in the file = 24 300 MWh; the tonnes column (8 100 t) is
    # untouched.
    rows = query(
        store,
        """select unit, value from raw.energy_feed_values where month = '2025-01-01'
                           and measure = 'fuel_input' and category = 'waste' order by unit""",
    )
    assert rows == [("MWh", pytest.approx(24_300)), ("t", 8_100)]
    assert query(store, "select declared_unit from raw.energy_feed_files") == [("kWh",)]


def test_a_failed_load_rolls_back_everything(tmp_path, monkeypatch):
    store, inbox = new_store(tmp_path), tmp_path / "inbox"
    before = fingerprint(store)
    drop_reports(inbox, "good_2025_utf8.csv")

    def broken_values(_feed, _sha256):
        raise RuntimeError("disk full")

    monkeypatch.setattr(energy_loads, "report_values", broken_values)
    report = energy_loads.process_drop(
        inbox, store
    )  # any error quarantines that file only (hardening)
    assert fingerprint(store) == before
    assert (
        report.rejected == ["energy/good_2025_utf8.csv"]
        and "disk full" in report.reports["energy/good_2025_utf8.csv"]
    )
    assert (
        len(list((inbox / "quarantine" / "energy").glob("*_good_2025_utf8.csv"))) == 1
    )  # kept, to send again


# --------------------------------------------------------------------------- marts (one dbt build)


def build_energy_models(store: Store, work: Path) -> str:
    dbt = str(Path(sys.executable).with_name("dbt"))
    done = subprocess.run(
        [
            dbt,
            "build",
            "--select",
            "+path:models/marts/energy",
            "--indirect-selection",
            "cautious",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            *vars_argument(Settings.from_env({"WAREHOUSE_PATH": str(store.warehouse_path)})),
        ],
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-5000:]
    return done.stdout


@pytest.fixture(scope="module")
def energy_warehouse(tmp_path_factory):
    """The good 2025 file, then a correction of Borlänge's March, then the good file again (a
    duplicate), then SCB's energy tables from the replay server; one dbt build."""
    from replay.offline import start_offline_server
    from sources.scb import PxWebClient

    root = tmp_path_factory.mktemp("energy")
    store, inbox = new_store(root), root / "inbox"
    drop_reports(inbox, "good_2025_utf8.csv")
    energy_loads.process_drop(inbox, store)
    drop_reports(inbox, CORRECTION, content={CORRECTION: correction_of_march()})
    assert energy_loads.process_drop(inbox, store).accepted == [f"energy/{CORRECTION}"]
    drop_reports(inbox, "good_2025_utf8.csv")
    assert energy_loads.process_drop(inbox, store).unchanged == ["energy/good_2025_utf8.csv"]
    with start_offline_server() as server:
        load_scb_energy(PxWebClient(server.scb_base_url), store, kommun_kod="2081")
    build_energy_models(store, root)
    return store


def test_a_resubmission_replaces_its_month_and_keeps_the_history(energy_warehouse):
    store = energy_warehouse
    march = query(
        store,
        """select category, value, file_name from marts.fct_district_heating_monthly
                            where network_id = 'Borlänge' and month = '2025-03-01'
                              and (measure = 'network_loss' or (measure = 'delivery' and category =
                                  'industry'))
                            order by category""",
    )
    assert march == [("", 3153.0, CORRECTION), ("industry", 6606.6, CORRECTION)]
    # Every other month and network still comes from the first file.
    others = query(
        store,
        """select distinct file_name from marts.fct_district_heating_monthly
                             where not (network_id = 'Borlänge' and month = '2025-03-01')""",
    )
    assert others == [("good_2025_utf8.csv",)]
    # The superseded March values stay in staging as history.
    history = query(
        store,
        """select value, is_current from staging.stg_energy_feed__values
                              where network_id = 'Borlänge' and month = '2025-03-01' and measure =
                                  'network_loss'
                              order by load_seq""",
    )
    assert history == [(4153.0, False), (3153.0, True)]
    assert query(
        store, "select file_name, load_seq from raw.energy_feed_files order by load_seq"
    ) == [("good_2025_utf8.csv", 1), (CORRECTION, 2)]


# Borlänge 2025, summed over the 12 months of make_fixtures.py by hand:
WASTE_FUEL_MWH = 12 * 24_300  # = 291 600
OIL_FUEL_MWH = 1_000 + 800 + 300 + 500 + 1_000  # Jan, Feb, Mar, Nov, Dec = 3 600
BIO_FUEL_MWH = (
    25_000 + 21_600 + 17_000 + 10_200 + 4_500 + 3_400 + 10_200 + 17_000 + 22_700
)  # = 131 600
EL_FUEL_MWH = (
    300 + 200 + 100 + 300
) + 12 * 600 / 3  # electric boiler 900 + heat pump 7 200 / COP 3 = 3 300
PURCHASED_MWH = 1_500 + 1_200 + 800 + 800 + 1_400  # = 5 700
CHP_HEAT_MWH = 12 * 17_000 + 12 * 2_900  # waste 204 000 + flue-gas condensation 34 800 = 238 800
CHP_EL_MWH = 12 * 3_600  # = 43 200
# Supply = waste 204 000 + bio 0,88 x 131 600 = 115 808 + oil 0,9 x 3 600 = 3 240 + el boiler 900
#        + heat pump 7 200 + SSAB 60 000 + flue gas 34 800 + purchased 5 700 = 431 648 MWh;
# losses are 10 % of it, 43 164,8, so the file's deliveries are 388 483,2; the March correction
# moves 1 000 MWh from losses to deliveries:
SUPPLY_MWH = 431_648
DELIVERED_MWH = 431_648 - 43_164.8 + 1_000  # = 389 483,2
LOSS_MWH = 43_164.8 - 1_000  # = 42 164,8

# The seed's factors (fuel_emission_factors.csv, g CO2e per kWh fuel): waste 100, oil 267, biofuel
# 3, electricity 40, purchased heat 30. Emissions in t = MWh x g/kWh / 1000.
E_CHP_T = WASTE_FUEL_MWH * 100 / 1000  # = 29 160 t
E_OTHER_T = (
    OIL_FUEL_MWH * 267 / 1000  # =    961,2
    + BIO_FUEL_MWH * 3 / 1000  # =    394,8
    + EL_FUEL_MWH * 40 / 1000  # =    132
    + PURCHASED_MWH * 30 / 1000
)  # =    171      -> 1 659 t
ON_SITE_T = 29_160 + 961.2 + 394.8  # waste, oil, biofuel burnt in the plants = 30 516 t


def test_hand_calculation_constants_are_what_the_comments_say():
    assert (WASTE_FUEL_MWH, OIL_FUEL_MWH, BIO_FUEL_MWH, EL_FUEL_MWH) == (
        291_600,
        3_600,
        131_600,
        3_300,
    )
    assert (PURCHASED_MWH, CHP_HEAT_MWH, CHP_EL_MWH) == (5_700, 238_800, 43_200)
    assert (DELIVERED_MWH, LOSS_MWH) == (pytest.approx(389_483.2), pytest.approx(42_164.8))
    assert (E_CHP_T, E_OTHER_T, ON_SITE_T) == (
        pytest.approx(29_160),
        pytest.approx(1_659),
        pytest.approx(30_516),
    )


def seed_factor(fuel: str) -> float:
    import csv

    with (DBT_PROJECT_DIR / "seeds" / "fuel_emission_factors.csv").open(encoding="utf-8") as handle:
        return float(next(r for r in csv.DictReader(handle) if r["fuel"] == fuel)["factor"])


def test_the_hand_calculation_uses_the_seed_factors():
    assert [
        seed_factor(f) for f in ("waste", "oil", "biofuel", "electricity", "purchased_heat")
    ] == [100, 267, 3, 40, 30]


def climate_row(store: Store, network: str, method: str) -> dict:
    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        cursor = con.execute(
            "select * from marts.fct_district_heating_climate_value where network_id = ? "
            "and year = 2025 and allocation_method = ?",
            [network, method],
        )
        [row] = cursor.fetchall()
        return dict(zip([d[0] for d in cursor.description], row, strict=True))


def test_climate_value_alternative_production_method_by_hand(energy_warehouse):
    # Separate production would need Q/0,90 = 238 800/0,90 = 265 333,33 MWh of fuel for the heat and
    # W/0,40 = 43 200/0,40 = 108 000 MWh for the power; the heat's share is
    # 265 333,33 / (265 333,33 + 108 000) = 265 333,33 / 373 333,33 = 0,710714...
    share = (CHP_HEAT_MWH / 0.90) / (CHP_HEAT_MWH / 0.90 + CHP_EL_MWH / 0.40)
    assert share == pytest.approx(0.7107142857)
    heat_t = share * E_CHP_T + E_OTHER_T  # 0,710714 x 29 160 = 20 724,43; + 1 659 = 22 383,43 t
    expected = (
        1000 * heat_t / DELIVERED_MWH
    )  # 22 383,43 t x 1e6 g / 389 483 200 kWh = 57,4696 g/kWh
    assert expected == pytest.approx(57.4696, abs=1e-4)

    got = climate_row(energy_warehouse, "Borlänge", "alternative_production")
    assert got["is_default_method"] and got["is_synthetic"] and got["uses_assumptions"]
    assert got["chp_heat_share"] == pytest.approx(share)
    assert got["heat_emissions_t"] == pytest.approx(heat_t)
    assert got["electricity_emissions_t"] == pytest.approx((1 - share) * E_CHP_T)  # 8 435,57 t
    assert got["fossil_emissions_t"] == pytest.approx(E_CHP_T + E_OTHER_T)  # 30 819 t
    assert got["delivered_mwh"] == pytest.approx(DELIVERED_MWH)
    assert got["g_co2e_per_kwh"] == pytest.approx(expected)
    assert (got["unit"], got["gas"], got["source_id"], str(got["factor_vintage"])) == (
        "g CO2e/kWh delivered",
        "CO2e",
        "borlange_energi_feed",
        "2026-11-22",
    )


def test_climate_value_energy_method_by_hand(energy_warehouse):
    # The heat's share by energy: Q / (Q + W) = 238 800 / (238 800 + 43 200) = 238 800 / 282 000 =
    # 0,846809
    share = CHP_HEAT_MWH / (CHP_HEAT_MWH + CHP_EL_MWH)
    assert share == pytest.approx(0.8468085)
    heat_t = share * E_CHP_T + E_OTHER_T  # 0,846809 x 29 160 = 24 692,94; + 1 659 = 26 351,94 t
    expected = 1000 * heat_t / DELIVERED_MWH  # 26 351,94 / 389 483,2 x 1000 = 67,6587 g/kWh
    assert expected == pytest.approx(67.6587, abs=1e-4)
    got = climate_row(energy_warehouse, "Borlänge", "energy")
    assert not got["is_default_method"]
    assert got["g_co2e_per_kwh"] == pytest.approx(expected)


def test_a_network_without_chp_gets_no_allocation(energy_warehouse):
    # Ornäs burns wood only: 3 g/kWh on 3 550 MWh of fuel = 10,65 t, over its deliveries.
    fuel_mwh = 600 + 500 + 400 + 250 + 150 + 100 + 100 + 100 + 150 + 250 + 400 + 550  # = 3 550
    got = climate_row(energy_warehouse, "Ornäs", "alternative_production")
    assert got["chp_heat_share"] == 0.0
    assert got["heat_emissions_t"] == pytest.approx(fuel_mwh * 3 / 1000)
    assert got["g_co2e_per_kwh"] == pytest.approx(1000 * 10.65 / got["delivered_mwh"])


def test_energy_balance_by_hand(energy_warehouse):
    [row] = query(
        energy_warehouse,
        """
        select heat_supply_mwh, delivered_mwh, network_loss_mwh, balance_difference_mwh,
            chp_electricity_mwh,
               fuel_input_t, on_site_combustion_emissions_t, months_reported, is_complete_year,
                   is_synthetic
        from marts.fct_energy_balance where network_id = 'Borlänge' and year = 2025""",
    )
    # Waste 12 x 8 100 = 97 200 t; biofuel 131 600 MWh / 2,5 = 52 640 t; oil 3 600 / 11,9 = 302,5 t
    # (rounded per month).
    assert row[:5] == (
        pytest.approx(SUPPLY_MWH),
        pytest.approx(DELIVERED_MWH),
        pytest.approx(LOSS_MWH),
        pytest.approx(0, abs=1e-6),
        pytest.approx(CHP_EL_MWH),
    )
    assert row[5] == pytest.approx(97_200 + 52_640 + (84 + 67.2 + 25.2 + 42 + 84))
    assert row[6:] == (pytest.approx(ON_SITE_T), 12, True, True)


def test_electricity_mart(energy_warehouse):
    rows = dict(
        ((flow, category), value)
        for flow, category, value in query(
            energy_warehouse,
            """
        select flow, category, sum(value) from marts.fct_electricity
        where network_id = 'Borlänge' and year = 2025 and flow <> 'charge_points' group by 1, 2""",
        )
    )
    assert rows[("produced", "")] == 43_200
    assert (
        rows[("distributed", "households")]
        == 16000 + 14500 + 13500 + 11000 + 9000 + 8000 + 7500 + 8000 + 9500 + 11500 + 13500 + 15500
    )
    assert (
        rows[("public_charging", "")]
        == 150 + 140 + 145 + 135 + 130 + 140 + 155 + 150 + 135 + 140 + 145 + 160
    )
    assert query(
        energy_warehouse,
        """select value, unit from marts.fct_electricity where network_id = 'Borlänge'
                                      and month = '2025-12-01' and flow = 'charge_points'""",
    ) == [(336.0, "count")]


def test_scb_energy_use_keeps_confidential_cells_null_and_totals_whole(energy_warehouse):
    # Synthetic 2024 level of replay/build_scb_energy_payloads.py, all parts x 0,97 (multiples of
    # 100, so exact): 911 17 000 + 921 1 190 000 + 931 100 700 + 941 388 000 + 951 202 800
    # + 98 259 500 + 97 220 300 + 964 6 100 = 2 384 400 MWh x 0,97 = 2 312 868 MWh, confidential
    # cells included.
    total = query(
        energy_warehouse,
        """select mwh, is_synthetic, vintage from marts.fct_energy_use
                                       where kommun_kod = '2081' and year = 2024 and sector_code =
                                           '999'
                                         and fuel_code = '955'""",
    )
    assert total == [(2_312_868.0, True, __import__("datetime").date(2025, 11, 20))]
    confidential = query(
        energy_warehouse,
        """select sector_code, fuel_code, mwh, status from marts.fct_energy_use
                                              where year = 2024 and is_confidential order by 1""",
    )
    assert confidential == [("921", "910", None, ".."), ("951", "915", None, "..")]
    # The published parts add up to less: 921/910 (20 000 x 0,97 = 19 400) and 951/915 (485) are
    # hidden.
    parts = query(
        energy_warehouse,
        "select sum(mwh) from marts.fct_energy_use where year = 2024 and not is_total",
    )
    assert parts == [(2_312_868.0 - 19_400 - 485,)]
    production = query(
        energy_warehouse,
        """select product, mwh from marts.fct_energy_production
                                            where year = 2024 and production_type_code = '4.5+4.6'
                                                and fuel_code = '17'""",
    )
    assert production == [("electricity", round(43_200 * 0.97))]


# -------------------------------------------------------------- Dagster: asset, check, sensor, demo


def test_the_asset_warns_when_a_report_is_quarantined(tmp_path, monkeypatch):
    monkeypatch.setenv("INBOX_DIR", str(tmp_path / "inbox"))
    monkeypatch.setenv("DBT_TARGET", "duckdb")
    store = new_store(tmp_path)
    drop_reports(tmp_path / "inbox", "good_2025q1_kwh_declared.csv", "bad_unbalanced.csv")
    resources = {
        "warehouse": WarehouseResource(
            path=str(store.warehouse_path), landing_dir=str(store.landing_dir)
        ),
        "inboxes": InboxResource(dir=str(tmp_path / "inbox"), settle_s=0.0),
        "tolerances": TolerancesResource(),
    }
    result = dg.materialize([energy.energy_reports], resources=resources)
    [check] = result.get_asset_check_evaluations()
    assert (check.check_name, check.passed, check.severity) == (
        energy.ALL_VALID_CHECK,
        False,
        dg.AssetCheckSeverity.WARN,
    )
    assert check.metadata["quarantined"].value == ["energy/bad_unbalanced.csv"]
    assert "balance_mismatch" in check.metadata["reports"].value


def test_the_sensor_starts_a_run_only_when_reports_wait(tmp_path):
    inboxes = InboxResource(dir=str(tmp_path / "inbox"), settle_s=0.0)
    context = dg.build_sensor_context(resources={"inboxes": inboxes})
    assert isinstance(energy.energy_inbox_sensor(context), dg.SkipReason)
    drop_reports(tmp_path / "inbox", "good_2025_01.xlsx")
    request = energy.energy_inbox_sensor(context)
    assert isinstance(request, dg.RunRequest) and request.tags["files"] == "1"


def test_the_demo_loads_the_synthetic_reports_and_compares_with_smhi(demo_con):
    assert demo_con.execute("""select count(*), bool_and(is_synthetic), min(period_start),
        max(period_end)
                               from raw.energy_feed_files""").fetchall() == [
        (
            12,
            True,
            __import__("datetime").date(2024, 1, 1),
            __import__("datetime").date(2024, 12, 1),
        )
    ]
    # The demo's 2024 months are the fixture's Borlänge months: without the March correction the
    # deliveries are 388 483,2 MWh and the default climate value 22 383,43 t / 388 483,2 MWh.
    [(value,)] = (
        demo_con.execute("""select g_co2e_per_kwh from marts.fct_district_heating_climate_value
                                     where network_id = 'Borlänge' and year = 2024 and
                                         is_default_method""").fetchall()
    )
    share = (CHP_HEAT_MWH / 0.90) / (CHP_HEAT_MWH / 0.90 + CHP_EL_MWH / 0.40)
    assert value == pytest.approx(1000 * (share * E_CHP_T + E_OTHER_T) / 388_483.2)  # 57,6175 g/kWh

    # SMHI's 'El och fjärrvärme' for Borlänge in 2024 is 46 767 t CO2e; the synthetic utility burns
    # 30 516 t: 30 516 - 46 767 = -16 251 t, -34,7 %, outside the default 25 %.
    comparison = compare_with_smhi(demo_con, tolerance=0.25, kommun_kod="2081")
    assert (comparison.year, comparison.utility_t, comparison.smhi_t) == (
        2024,
        pytest.approx(ON_SITE_T),
        pytest.approx(46_767, abs=0.5),
    )
    assert comparison.difference_t == pytest.approx(30_516 - comparison.smhi_t)
    assert comparison.difference_share == pytest.approx(-16_251 / 46_767, abs=1e-4)
    result = energy.smhi_check_result(comparison)
    assert (result.passed, result.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert result.metadata["difference_pct"].value == pytest.approx(-34.7, abs=0.05)
    assert result.metadata["utility_data_is_synthetic"].value is True
    assert energy.smhi_check_result(
        compare_with_smhi(demo_con, tolerance=0.40, kommun_kod="2081")
    ).passed
