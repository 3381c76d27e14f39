"""The nowcast (issue 23): its backtest over the real releases the repo's replay payloads hold,
the ranges, Klimatkollen's approximation reproduced, no leakage, the national indicator's
client, raw table and replay, the nowcast rows and the probability on the Paris path.

Runs without ../shared: the releases are the committed SMHI payloads (CO2 2025-06 rebuilt by
replay/build_nowcast_payloads.py), Sweden by sector the committed MI0107 payload, Klimatkollen's
published values a fixture made by tests/fixtures/make_kk_approximated_fixture.py."""

from __future__ import annotations

import dataclasses
import json
from hashlib import sha256

import numpy as np
import polars as pl
import pytest
import requests

from pipelines.defs.nowcast import backtest as bt
from pipelines.defs.nowcast.estimates import nowcast_emissions
from pipelines.defs.nowcast.intervals import (
    conformal_quantile,
    leave_one_out_quantiles,
)
from pipelines.defs.nowcast.loads import (
    TABLE,
    load_archived_releases,
    load_national_sector_emissions,
)
from pipelines.defs.nowcast.model import fit_parameters, forecast
from pipelines.defs.nowcast.panel import (
    MAIN_SECTORS,
    NowcastInputError,
    SectorPanel,
    national_series,
    sector_panel,
)
from pipelines.defs.nowcast.paris import paris_path_probability
from pipelines.defs.nowcast.raw_tables import RAW_TABLES
from pipelines.defs.trajectory.compute import compute_trajectories
from pipelines.defs.trajectory.presets import load_presets
from pipelines.lib import warehouse
from pipelines.lib.warehouse import Store
from pipelines.settings import REPO_ROOT
from replay import nowcast_inputs
from replay.offline import start_offline_server
from replay.smhi import REBUILT_DIR
from sources.national_emissions import NationalEmissionsClient
from sources.scb import PxWebClient
from sources.smhi import SmhiClient

FIXTURES = REPO_ROOT / "tests" / "fixtures"
SHARED = REPO_ROOT.parent / "shared" / "data" / "klimatkollen"
BORLANGE = "2081"
TRANSPORT, INDUSTRY, DH = "Transporter", "Industri (energi + processer)", "El och fjärrvärme"


def release_panel(gas: str, vintage: str) -> SectorPanel:
    return sector_panel(nowcast_inputs.release(gas, vintage), gas=gas, vintage=vintage)


def national(gas: str):
    frame, updated = nowcast_inputs.national_frame()
    return national_series(frame, gas=gas, vintage=updated)


@pytest.fixture(scope="module")
def origins() -> list[bt.BacktestOrigin]:
    frame, updated = nowcast_inputs.national_frame()
    return [
        bt.backtest_origin(
            nowcast_inputs.release(*origin),
            nowcast_inputs.release(*actual),
            frame,
            gas=origin[0],
            origin_vintage=origin[1],
            actual_vintage=actual[1],
            national_vintage=updated,
        )
        for origin, actual in nowcast_inputs.ORIGINS
    ]


@pytest.fixture(scope="module")
def result(origins) -> bt.BacktestResult:
    return bt.run_backtest(origins)


@pytest.fixture(scope="module")
def june_2026() -> SectorPanel:
    return release_panel("CO2e", "2026-06-25")


def summary_row(result, gas: str, method: str) -> dict:
    [row] = result.summary.filter((pl.col("gas") == gas) & (pl.col("method") == method)).rows(
        named=True
    )
    return row


def borlange_row(result, gas: str, method: str) -> dict:
    [row] = result.rows.filter(
        (pl.col("gas") == gas) & (pl.col("method") == method) & (pl.col("kommun_kod") == BORLANGE)
    ).rows(named=True)
    return row


# ---------------------------------------------------------------- the releases


def test_backtest_rows_cover_every_kommun_both_releases_have(origins, result):
    for origin in origins:
        both = set(origin.origin.kommuner) & set(origin.actual.kommuner)
        assert len(both) == 290
    counts = result.rows.group_by(
        "gas", "origin_vintage", "actual_vintage", "target_year", "method"
    ).agg(kommuner=pl.col("kommun_kod").n_unique(), rows=pl.len())
    expected = {
        ("CO2e", "2026-04-23", "2026-06-25", 2024),
        ("CO2", "2024-04-18", "2025-06-18", 2023),
    }
    assert {r[:4] for r in counts.rows()} == expected
    assert set(counts.get_column("method")) == set(bt.METHODS)
    assert set(counts.get_column("kommuner")) == {290} and set(counts.get_column("rows")) == {290}


def test_actuals_and_baselines_are_the_releases_figures(result):
    # Borlänge, CO2e: 2023 in the release of 2026-04 (methods.md §4.2: 407 955 t) and 2024 in the
    # release of 2026-06 (§4.1: 423 796 t); CO2: 2022 in the raw export of 2024-04-18 (§4.3:
    # 362 176 t) and 2023 in the June 2025 release (sum of its sectors, no cement in Borlänge).
    co2e = borlange_row(result, "CO2e", bt.PERSISTENCE)
    assert co2e["predicted_t"] == pytest.approx(407_954.951, abs=0.01)
    assert co2e["actual_t"] == pytest.approx(423_795.822, abs=0.01)
    co2 = borlange_row(result, "CO2", bt.PERSISTENCE)
    assert co2["predicted_t"] == pytest.approx(362_176, abs=1)
    assert co2["actual_t"] == pytest.approx(379_790.3, abs=0.1)


def test_national_scaling_is_each_sector_times_swedens_change(origins, result):
    """Recomputed by hand from the panels and Sweden's series, not through the backtest code."""
    origin = origins[0]
    k = int(np.flatnonzero(origin.origin.kommuner == BORLANGE)[0])
    expected = 0.0
    for s in range(len(MAIN_SECTORS)):
        before, after = origin.national.tonnes[2023][s], origin.national.tonnes[2024][s]
        expected += origin.origin.at(2023)[k, s] * (after / before if before else 1.0)
    assert borlange_row(result, "CO2e", bt.NATIONAL_SCALING)["predicted_t"] == pytest.approx(
        expected, rel=1e-12
    )
    # Sweden's transport rose 21 % in 2024 (the reduction obligation was lowered)
    t = MAIN_SECTORS.index(TRANSPORT)
    assert origin.national.tonnes[2024][t] / origin.national.tonnes[2023][t] == pytest.approx(
        16_862_742.05 / 13_917_067.73, rel=1e-9
    )


# ---------------------------------------------------------------- metrics


def test_summary_metrics_are_the_rows_metrics(result):
    for (gas, origin, method), rows in result.rows.group_by("gas", "origin_vintage", "method"):
        error = (rows["predicted_t"] - rows["actual_t"]).abs().to_numpy()
        percent = 100 * error / rows["actual_t"].to_numpy()
        row = summary_row(result, gas, method)
        assert row["origin_vintage"] == origin and row["kommuner"] == 290
        assert row["mae_t"] == pytest.approx(error.mean(), rel=1e-12)
        assert row["median_ae_t"] == pytest.approx(np.median(error), rel=1e-12)
        assert row["mae_pct"] == pytest.approx(percent.mean(), rel=1e-12)
        assert row["median_ae_pct"] == pytest.approx(np.median(percent), rel=1e-12)
        lad = summary_row(result, gas, bt.LAD)["mae_t"]
        assert row["mae_ratio_to_lad"] == pytest.approx(row["mae_t"] / lad, rel=1e-12)


def test_co2e_backtest_figures_and_targets(result):
    """Issue 23's targets on the CO2e origin. Met: <= 0.4 x lad, <= persistence, both ranges.
    Missed: <= national_scaling (1.02x; see docs/analysts.md, 'Nowcast')."""
    lad = summary_row(result, "CO2e", bt.LAD)
    persistence = summary_row(result, "CO2e", bt.PERSISTENCE)
    scaling = summary_row(result, "CO2e", bt.NATIONAL_SCALING)
    nowcast = summary_row(result, "CO2e", bt.NOWCAST)
    assert lad["mae_t"] == pytest.approx(19_377.6, abs=0.1)
    assert persistence["mae_t"] == pytest.approx(15_380.0, abs=0.1)
    assert scaling["mae_t"] == pytest.approx(6_223.4, abs=0.1)
    assert nowcast["mae_t"] == pytest.approx(6_356.1, abs=0.1)
    assert nowcast["mae_ratio_to_lad"] <= 0.4
    assert nowcast["mae_ratio_to_persistence"] <= 1.0
    assert nowcast["mae_ratio_to_national_scaling"] == pytest.approx(1.0213, abs=1e-4)  # missed
    assert 0.75 <= nowcast["coverage_80"] <= 0.85 and 0.90 <= nowcast["coverage_95"] <= 0.98


def test_co2_backtest_figures(result):
    nowcast = summary_row(result, "CO2", bt.NOWCAST)
    assert summary_row(result, "CO2", bt.LAD)["mae_t"] == pytest.approx(7_589.3, abs=0.1)
    assert summary_row(result, "CO2", bt.NATIONAL_SCALING)["mae_t"] == pytest.approx(
        5_879.7, abs=0.1
    )
    assert nowcast["mae_t"] == pytest.approx(5_614.6, abs=0.1)
    assert nowcast["mae_ratio_to_lad"] <= 0.75
    assert nowcast["mae_ratio_to_persistence"] <= 1.0
    assert nowcast["mae_ratio_to_national_scaling"] <= 1.0
    assert 0.75 <= nowcast["coverage_80"] <= 0.85 and 0.90 <= nowcast["coverage_95"] <= 0.98


def test_half_of_the_scored_2024_industry_is_smhis_common_scaling(result):
    """Why plain national scaling is hard to beat on the CO2e origin: in the June 2026 release,
    24 of the 151 kommuner with at least 1,000 t of industry, 53 % of the sector's 2024 tonnes,
    moved from 2023 by one factor, 0.984; in 2023 (the origin's last year) 0.7 %. Over all
    sectors 16.3 % of 2024 against 4.3 % of 2023."""
    shares = result.common_change
    [industry_2024] = shares.filter(
        (pl.col("vintage") == "2026-06-25") & (pl.col("huvudsektor") == INDUSTRY)
    ).rows(named=True)
    assert industry_2024["year"] == 2024 and industry_2024["common_factor"] == 0.984
    assert (industry_2024["kommuner_common"], industry_2024["kommuner_considered"]) == (24, 151)
    assert industry_2024["tonnes_share"] == pytest.approx(0.5321, abs=1e-4)
    [industry_2023] = shares.filter(
        (pl.col("vintage") == "2026-04-23") & (pl.col("huvudsektor") == INDUSTRY)
    ).rows(named=True)
    assert industry_2023["year"] == 2023
    assert industry_2023["tonnes_share"] == pytest.approx(0.0068, abs=1e-4)
    nowcast = summary_row(result, "CO2e", bt.NOWCAST)
    assert nowcast["origin_common_change_share"] == pytest.approx(0.0425, abs=1e-4)
    assert nowcast["actual_common_change_share"] == pytest.approx(0.1629, abs=1e-4)


def test_borlanges_2024_industry_is_on_the_common_factor(june_2026):
    """Borlänge's industry, 59 % of its 2024 total, is 2023's times 0.98431: on industry's common
    factor 0.984, so most likely SMHI's own scaling; so is product use (x1.17843 on 1.178). Own
    heating (1,642 t, x1.00024) is off its sector's 1.001 by more than the tolerance."""
    cells = bt.common_change_cells(june_2026, 2024).filter(pl.col("kommun_kod") == BORLANGE)
    by_sector = {r["huvudsektor"]: r for r in cells.rows(named=True)}
    industry = by_sector[INDUSTRY]
    assert industry["tonnes"] == pytest.approx(251_161, abs=1)
    assert industry["previous_t"] == pytest.approx(255_163, abs=1)
    assert industry["ratio"] == pytest.approx(0.98431, abs=1e-5)
    assert industry["common_factor"] == 0.984 and industry["follows_common_factor"]
    heating = by_sector["Egen uppvärmning av bostäder och lokaler"]
    assert heating["considered"] and not heating["follows_common_factor"]
    assert heating["common_factor"] == 1.001
    followed = [s for s, r in by_sector.items() if r["follows_common_factor"]]
    assert followed == [INDUSTRY, "Produktanvändning (inkl. lösningsmedel)"]
    assert industry["tonnes"] / cells["tonnes"].sum() == pytest.approx(0.593, abs=1e-3)
    share = sum(by_sector[s]["tonnes"] for s in followed) / cells["tonnes"].sum()
    assert share == pytest.approx(0.6055, abs=1e-4)


def test_common_change_counts_only_sectors_that_moved_by_one_factor():
    """Sector 0 of every kommun from 1,000 t is the year before times 0.9 (a small kommun's is
    not, and is not considered); sector 1 moves by each kommun's own factor."""
    rng = np.random.default_rng(7)
    k, years = 40, np.array([2022, 2023])
    values = np.zeros((k, len(MAIN_SECTORS), 2))
    values[:, :2, 0] = rng.uniform(2_000, 50_000, size=(k, 2))
    values[0, 0, 0] = 500.0
    values[:, 0, 1] = values[:, 0, 0] * 0.9
    values[0, 0, 1] = 800.0
    values[:, 1, 1] = values[:, 1, 0] * rng.uniform(0.8, 1.2, size=k)
    panel = SectorPanel(
        "CO2e",
        "test",
        np.array([f"{i:04d}" for i in range(k)]),
        MAIN_SECTORS,
        years,
        values,
        values.sum(axis=1),
    )
    shares = bt.common_change_shares(panel, 2023)
    first, second = shares.row(0, named=True), shares.row(1, named=True)
    assert first["common_factor"] == 0.9
    assert (first["kommuner_common"], first["kommuner_considered"]) == (39, 39)
    assert first["tonnes_share"] == pytest.approx(
        values[1:, 0, 1].sum() / values[:, 0, 1].sum(), rel=1e-12
    )
    assert second["kommuner_common"] <= 2 and second["tonnes_share"] < 0.1
    assert bt.year_common_change_shares(shares)[("test", "CO2e", 2023)] == pytest.approx(
        (values[1:, 0, 1].sum() + second["tonnes_share"] * values[:, 1, 1].sum())
        / values[:, :, 1].sum(),
        rel=1e-12,
    )


def test_ranges_are_the_other_kommuners_quantiles_and_coverage_is_counted(result):
    rows = result.rows.filter((pl.col("gas") == "CO2e") & (pl.col("method") == bt.NOWCAST))
    predicted, actual = rows["predicted_t"].to_numpy(), rows["actual_t"].to_numpy()
    scores = np.abs(actual - predicted) / predicted
    k = int(np.flatnonzero(rows["kommun_kod"].to_numpy() == BORLANGE)[0])
    q80 = conformal_quantile(np.delete(scores, k), 0.80)
    assert rows["lower_80_t"][k] == pytest.approx(predicted[k] * (1 - q80), rel=1e-12)
    assert rows["upper_80_t"][k] == pytest.approx(predicted[k] * (1 + q80), rel=1e-12)
    covered = (actual >= rows["lower_95_t"].to_numpy()) & (actual <= rows["upper_95_t"].to_numpy())
    assert rows["covered_95"].to_list() == covered.tolist()
    assert summary_row(result, "CO2e", bt.NOWCAST)["coverage_95"] == pytest.approx(covered.mean())
    ordered = rows.select("lower_95_t", "lower_80_t", "predicted_t", "upper_80_t", "upper_95_t")
    assert all(list(r) == sorted(r) for r in ordered.rows())


def test_leave_one_out_quantile_matches_the_direct_computation():
    scores = np.random.default_rng(1).exponential(size=57)
    for level in (0.8, 0.95):
        direct = [conformal_quantile(np.delete(scores, i), level) for i in range(len(scores))]
        assert leave_one_out_quantiles(scores, level).tolist() == direct


# ---------------------------------------------------------------- no leakage


def perturbed(panel: SectorPanel, year: int, factors: np.ndarray) -> SectorPanel:
    """The release with `year`'s sector values and totals multiplied by factors (K,)."""
    values, totals = panel.values.copy(), panel.totals.copy()
    y = panel.index(year)
    values[:, :, y] *= factors[:, None]
    totals[:, y] *= factors
    return dataclasses.replace(panel, values=values, totals=totals)


def test_scored_actuals_do_not_move_the_fitted_parameters(origins):
    origin = origins[0]
    base_rows, base = bt.score_origin(origin)
    rng = np.random.default_rng(23)
    factors = rng.uniform(0.5, 1.5, size=len(origin.actual.kommuner))
    moved = dataclasses.replace(origin, actual=perturbed(origin.actual, 2024, factors))
    moved_rows, moved_scores = bt.score_origin(moved)
    np.testing.assert_array_equal(base.parameters.alpha, moved_scores.parameters.alpha)
    np.testing.assert_array_equal(base.parameters.phi, moved_scores.parameters.phi)
    assert base.parameters.fitted_on == moved_scores.parameters.fitted_on
    # the estimates do not move either; the actuals (and so the errors) do
    before, after = (
        pl.concat(base_rows, how="diagonal_relaxed"),
        pl.concat(moved_rows, how="diagonal_relaxed"),
    )
    assert before["predicted_t"].to_list() == after["predicted_t"].to_list()
    assert before["actual_t"].to_list() != after["actual_t"].to_list()


def test_a_kommuns_own_actual_never_sets_its_own_range(origins):
    origin = origins[0]
    k = int(np.flatnonzero(origin.actual.kommuner == BORLANGE)[0])
    factors = np.ones(len(origin.actual.kommuner))
    factors[k] = 3.0  # Borlänge's 2024 far off: every other kommun's range widens, not its own
    moved = dataclasses.replace(origin, actual=perturbed(origin.actual, 2024, factors))

    def nowcast_rows(o):
        return pl.concat(bt.score_origin(o)[0], how="diagonal_relaxed").filter(
            pl.col("method") == bt.NOWCAST
        )

    before, after = nowcast_rows(origin), nowcast_rows(moved)
    own_before = before.filter(pl.col("kommun_kod") == BORLANGE)
    own_after = after.filter(pl.col("kommun_kod") == BORLANGE)
    for column in ("lower_80_t", "upper_80_t", "lower_95_t", "upper_95_t"):
        assert own_before[column].item() == own_after[column].item()
    others_before = before.filter(pl.col("kommun_kod") != BORLANGE)["upper_95_t"].to_numpy()
    others_after = after.filter(pl.col("kommun_kod") != BORLANGE)["upper_95_t"].to_numpy()
    assert (others_after >= others_before).all() and (others_after > others_before).any()


# ---------------------------------------------------------------- Klimatkollen's approximation


def test_lad_reproduces_klimatkollens_published_approximations(june_2026):
    published = pl.read_csv(
        FIXTURES / "klimatkollen_approximated_bf20c58.csv", schema_overrides={"kommun_kod": pl.Utf8}
    )
    ours = bt.klimatkollen_approximation(june_2026, [2025, 2026])
    assert published.height == 10 and published["kommun_kod"].n_unique() == 5
    for code, _, year, value, _ in published.rows():
        k = int(np.flatnonzero(june_2026.kommuner == code)[0])
        got = ours[k, [2025, 2026].index(year)]
        assert got == pytest.approx(value, rel=0.005)  # the tolerance
        assert got == pytest.approx(value, abs=0.001)  # and in fact to Klimatkollen's 3 decimals


# ---------------------------------------------------------------- the national indicator


def test_national_client_reads_mi0107_over_the_replay_and_loads_raw(tmp_path):
    with start_offline_server() as server:
        client = NationalEmissionsClient(PxWebClient(server.scb_base_url))
        fetched = client.fetch()
        store = Store(tmp_path / "w.duckdb", tmp_path / "landing")
        first = load_national_sector_emissions(client, store)
        again = load_national_sector_emissions(client, store)
    frame = fetched.frame
    assert set(frame["gas"]) == {"CO2e", "CO2"} and set(frame["huvudsektor"]) == set(MAIN_SECTORS)

    def value(gas, sector, year):
        return frame.filter(
            (pl.col("gas") == gas) & (pl.col("huvudsektor") == sector) & (pl.col("year") == year)
        ).row(0, named=True)

    assert value("CO2e", TRANSPORT, 2024)["tonnes"] == pytest.approx(16_862_742.05, abs=0.01)
    assert value("CO2e", INDUSTRY, 2023)["tonnes"] == pytest.approx(13_207_665, abs=1)
    gap = value("CO2e", TRANSPORT, 2017)  # SMHI's 2026 release has no 2016-2019
    assert gap["tonnes"] is None and gap["status"] == ".."
    assert value("CO2", TRANSPORT, 2024)["tonnes"] is None  # no CO2 figure for 2024 offline
    assert value("CO2", INDUSTRY, 2023)["tonnes"] == pytest.approx(12_934_394.39, abs=0.01)
    assert set(frame["value_kind"]) == {"statistic"}  # no made-up 2025: the table ends in 2024
    assert frame["year"].max() == 2024
    assert "standing in for Naturvårdsverket" in value("CO2", INDUSTRY, 2023)["provenance_note"]
    assert first.rows_inserted == frame.height and not first.unchanged
    assert again.rows_inserted == 0 and again.unchanged
    with warehouse.connect(store.warehouse_path) as con:
        rows = con.execute(
            f"select count(*), count(distinct file_sha256), min(source_id) from raw.{TABLE}"
        ).fetchall()[0]
        landed = con.execute(
            "select loaded_into from raw.landed_files where sha256 = ?", [first.sha256[0]]
        ).fetchall()
    assert rows == (frame.height, 1, "naturvardsverket_mi0107") and landed == [(TABLE,)]


def test_the_domain_declares_its_raw_table_and_every_connection_creates_it(tmp_path):
    from pipelines.lib import warehouse

    assert [table.name for table in RAW_TABLES] == [TABLE, "smhi_archived_releases"]
    warehouse.connect(tmp_path / "ddl.duckdb").close()
    con = warehouse.connect(tmp_path / "ddl.duckdb")  # idempotent
    columns = [r[0] for r in con.execute(f"describe raw.{TABLE}").fetchall()]
    assert columns[:6] == [
        "file_sha256",
        "table_id",
        "source_id",
        "sector_code",
        "huvudsektor",
        "gas_code",
    ]
    assert {"tonnes", "value_kind", "provenance_note", "fetched_at"} <= set(columns)


# ---------------------------------------------------------------- the rebuilt CO2 release


def test_the_rebuilt_co2_release_is_labelled_and_served_only_when_selected():
    manifest = json.loads((REBUILT_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    [(name, entry)] = manifest["files"].items()
    assert name == "CO2_2025-06-18.xlsx" and entry["rebuilt"] is True
    assert "REBUILT, not an SMHI file" in entry["provenance"]["note"]
    with start_offline_server() as server:
        client = SmhiClient(server.smhi_base_url)
        default = client.download("CO2")
        resp = requests.post(
            f"{server.smhi_base_url}/__replay/smhi/release",
            json={"sub": "CO2", "release": "2025-06-18"},
            timeout=5,
        )
        selected = client.download("CO2")
    assert default.filename == "CO2_2024-04-18.xlsx"
    assert resp.status_code == 200 and resp.json()["available"] == ["2024-04-18", "2025-06-18"]
    assert selected.content == (REBUILT_DIR / name).read_bytes()
    panel = release_panel("CO2", "2025-06-18")
    k = int(np.flatnonzero(panel.kommuner == "0980")[0])  # Gotland: cement is NOT deducted
    assert panel.at(2023)[k, MAIN_SECTORS.index(INDUSTRY)] == pytest.approx(1_492_486.14)
    assert panel.last_year == 2023 and len(panel.kommuner) == 290


def test_the_archive_serves_the_rebuilt_release_and_the_backtest_table_keeps_it(tmp_path):
    """SMHI's protocol under the archive's base URL: the rebuilt CO2 release of June 2025 lands,
    with its vintage and hash, in raw.smhi_archived_releases, never in raw.smhi_emissions_co2; the
    SMHI base URL keeps serving the release of 2024-04-18."""
    import dagster as dg

    from pipelines.defs.nowcast.assets import smhi_archived_releases
    from pipelines.resources import SmhiResource, WarehouseResource

    store = Store(tmp_path / "w.duckdb", tmp_path / "landing")
    resources = {
        "warehouse": WarehouseResource(path=str(store.warehouse_path), landing_dir=str(tmp_path)),
    }
    unset = dg.materialize(
        [smhi_archived_releases], resources=resources | {"smhi_archive": SmhiResource(base_url="")}
    )
    with start_offline_server() as server:
        archive = SmhiResource(base_url=server.smhi_archive_base_url)
        first = dg.materialize(
            [smhi_archived_releases], resources=resources | {"smhi_archive": archive}
        )
        again = load_archived_releases(SmhiClient(server.smhi_archive_base_url), store)
        published = SmhiClient(server.smhi_base_url).download("CO2")
    assert unset.success and first.success
    assert published.filename == "CO2_2024-04-18.xlsx"
    [materialized] = first.asset_materializations_for_node(smhi_archived_releases.op.name)
    expected = sha256((REBUILT_DIR / "CO2_2025-06-18.xlsx").read_bytes()).hexdigest()
    assert materialized.metadata["CO2 2025-06-18: sha256"].value == expected
    assert materialized.metadata["CO2 2025-06-18: rows_inserted"].value == 40_560
    [report] = again
    assert report.unchanged and report.rows_inserted == 0 and report.sha256 == expected
    with warehouse.connect(store.warehouse_path) as con:
        rows = con.execute(
            "select sub, gas, cast(vintage as varchar), count(distinct kommun_kod), max(year), "
            "min(file_sha256), max(file_sha256) from raw.smhi_archived_releases group by all"
        ).fetchall()
        co2 = con.execute("select count(*) from raw.smhi_emissions_co2").fetchone()
    assert rows == [("CO2", "CO2", "2025-06-18", 290, 2023, expected, expected)]
    assert co2 == (0,)


def test_only_the_nowcast_reads_the_archived_releases():
    """The archived releases reach int_nowcast__releases, which only the nowcast asset reads: no
    model or mart that publishes SMHI's figures can hold one."""
    project = REPO_ROOT / "dbt_project"
    sql = {
        path.name: path.read_text(encoding="utf-8")
        for folder in ("models", "tests", "snapshots", "analyses")
        for path in (project / folder).rglob("*.sql")
    }

    def readers(call: str) -> set[str]:
        return {name for name, text in sql.items() if call in text}

    assert readers("source('smhi', 'smhi_archived_releases')") == {
        "stg_smhi__archived_releases.sql"
    }
    assert readers("ref('stg_smhi__archived_releases')") == {"int_nowcast__releases.sql"}
    assert readers("ref('int_nowcast__releases')") == set()


@pytest.mark.skipif(
    not SHARED.exists(), reason="../shared/data/klimatkollen is not beside the repo"
)
def test_nowcast_payloads_rebuild_byte_for_byte(tmp_path):
    from replay.build_nowcast_payloads import write_payloads

    write_payloads(SHARED, tmp_path / "smhi", tmp_path / "scb")
    for built, committed in (
        (tmp_path / "smhi", REBUILT_DIR),
        (tmp_path / "scb", REPO_ROOT / "replay" / "payloads" / "scb"),
    ):
        for path in built.iterdir():
            assert path.read_bytes() == (committed / path.name).read_bytes(), path.name


# ---------------------------------------------------------------- the nowcast rows


@pytest.fixture(scope="module")
def nowcast_2026(result, june_2026):
    parameters = fit_parameters(june_2026)
    series = national("CO2e")
    return nowcast_emissions(
        june_2026, series, parameters, result.calibration("CO2e"), through_year=2026
    )


def test_borlanges_nowcast_for_2025_and_2026(nowcast_2026):
    assert nowcast_2026.height == 290 * 10 * 2
    assert set(nowcast_2026["value_kind"]) == {"estimate"}
    rows = nowcast_2026.filter(
        (pl.col("kommun_kod") == BORLANGE) & (pl.col("huvudsektor") == "Alla")
    )
    by_year = {r["year"]: r for r in rows.rows(named=True)}
    assert by_year[2025]["nowcast_t"] == pytest.approx(422_978.4, abs=0.1)
    assert by_year[2026]["nowcast_t"] == pytest.approx(422_160.9, abs=0.1)
    for row in by_year.values():
        assert (
            row["lower_95_t"]
            < row["lower_80_t"]
            < row["nowcast_t"]
            < row["upper_80_t"]
            < row["upper_95_t"]
        )
        # MI0107 for 2025 comes in December 2026: not in the replay, so the own trend carries both
        assert row["national_value_kind"] == "none" and not row["uses_placeholder"]
        assert row["base_vintage"] == "2026-06-25" and not row["uses_synthetic_input"]
    assert "n0_m1" in by_year[2025]["interval_calibration"]
    assert "widened" in by_year[2026]["interval_calibration"]  # two years out: wider than one
    width = {y: r["upper_80_t"] - r["lower_80_t"] for y, r in by_year.items()}
    assert width[2026] > width[2025]
    sectors = nowcast_2026.filter((pl.col("kommun_kod") == BORLANGE) & (pl.col("year") == 2025))
    total = sectors.filter(pl.col("huvudsektor") == "Alla")["nowcast_t"].item()
    assert sectors.filter(pl.col("huvudsektor") != "Alla")["nowcast_t"].sum() == pytest.approx(
        total
    )


def test_the_national_indicator_moves_the_nowcast_and_a_placeholder_says_so(result, june_2026):
    parameters = fit_parameters(june_2026)
    frame, updated = nowcast_inputs.national_frame()
    placeholder_2025 = frame.filter(pl.col("year") == 2024).with_columns(
        year=pl.lit(2025, pl.Int32),
        tonnes=pl.col("tonnes") * 1.10,
        value_kind=pl.lit("placeholder"),
        provenance_note=pl.lit("test placeholder: 2024 + 10 %"),
    )
    national = national_series(pl.concat([frame, placeholder_2025]), gas="CO2e", vintage=updated)
    rows = nowcast_emissions(
        june_2026, national, parameters, result.calibration("CO2e"), through_year=2025
    ).filter((pl.col("kommun_kod") == BORLANGE) & (pl.col("huvudsektor") == TRANSPORT))
    row = rows.row(0, named=True)
    assert row["uses_placeholder"] and row["national_value_kind"] == "placeholder"
    assert row["national_indicator"].startswith("USES A PLACEHOLDER")
    x = june_2026.at(2024)[
        int(np.flatnonzero(june_2026.kommuner == BORLANGE)[0]), MAIN_SECTORS.index(TRANSPORT)
    ]
    alpha = parameters.alpha[MAIN_SECTORS.index(TRANSPORT)]
    assert row["nowcast_t"] == pytest.approx(x * 1.10**alpha, rel=1e-9)
    assert "n1_m0" in row["interval_calibration"]


def test_a_local_feed_replaces_the_part_of_the_sector_it_covers(result, june_2026):
    parameters = fit_parameters(june_2026)
    k = int(np.flatnonzero(june_2026.kommuner == BORLANGE)[0])
    s = MAIN_SECTORS.index(DH)
    x = june_2026.at(2024)[k, s]  # 46 767 t
    feed = pl.DataFrame(
        {
            "kommun_kod": [BORLANGE, BORLANGE],
            "huvudsektor": [DH, DH],
            "gas": ["CO2e", "CO2e"],
            "year": [2024, 2025],
            "tonnes": [30_000.0, 24_000.0],  # covers 64 % of the sector, falls 20 %
            "indicator": ["borlange_energi_fuels"] * 2,
            "description": ["test feed"] * 2,
            "vintage": ["2026-12-07"] * 2,
            "is_synthetic": [True, True],
        }
    )
    with_feed = nowcast_emissions(
        june_2026, None, parameters, result.calibration("CO2e"), 2025, local_indicators=feed
    )
    model = forecast(june_2026, parameters, None, 2025).values[k, s]
    covered = 30_000.0 / x
    row = with_feed.filter((pl.col("kommun_kod") == BORLANGE) & (pl.col("huvudsektor") == DH)).row(
        0, named=True
    )
    assert row["nowcast_t"] == pytest.approx(covered * x * 0.8 + (1 - covered) * model, rel=1e-12)
    assert row["uses_synthetic_input"] and "SYNTHETIC" in row["local_indicator"]
    total = with_feed.filter(
        (pl.col("kommun_kod") == BORLANGE) & (pl.col("huvudsektor") == "Alla")
    ).row(0, named=True)
    assert total["uses_synthetic_input"] and "borlange_energi_fuels" in total["local_indicator"]
    other = with_feed.filter(
        (pl.col("kommun_kod") == "0180") & (pl.col("huvudsektor") == "Alla")
    ).row(0, named=True)
    assert not other["uses_synthetic_input"] and other["local_indicator"] is None


def test_bad_release_input_names_the_problem():
    frame = pl.DataFrame(
        {"kommun_kod": ["2081"], "huvudsektor": ["Okänd sektor"], "year": [2024], "tonnes": [1.0]}
    )
    with pytest.raises(NowcastInputError, match="unknown main sector"):
        sector_panel(frame, gas="CO2e", vintage="x")
    short = pl.DataFrame(
        {"kommun_kod": ["2081"], "huvudsektor": [TRANSPORT], "year": [2024], "tonnes": [1.0]}
    )
    with pytest.raises(NowcastInputError, match="expected 9"):
        sector_panel(short, gas="CO2e", vintage="x")


# ---------------------------------------------------------------- the Paris path


def totals_history(panel: SectorPanel) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "kommun_kod": np.repeat(panel.kommuner, len(panel.years)).tolist(),
            "year": np.tile(panel.years, len(panel.kommuner)).tolist(),
            "tonnes": panel.totals.reshape(-1).tolist(),
        }
    )


def test_paris_probability_centres_on_the_trajectory_codes_check(june_2026):
    """With zero-width ranges at Klimatkollen's approximated 2026 the central sums are the
    trajectory code's carbon_law sums (Borlänge: 7 154 677 against 3 295 459, methods.md §4.5)."""
    history = totals_history(june_2026)
    lad_2026 = bt.klimatkollen_approximation(june_2026, [2026])[:, 0]
    anchors = pl.DataFrame(
        {"kommun_kod": june_2026.kommuner.tolist()}
        | {
            c: lad_2026
            for c in ("lower_95_t", "lower_80_t", "nowcast_t", "upper_80_t", "upper_95_t")
        }
    )
    got = paris_path_probability(
        history, anchors, as_of_year=2026, reduction_rate=0.1172, draws=400
    )
    preset = load_presets()["carbon_law"]
    expected = compute_trajectories(history, preset, as_of_year=2026).summary
    joined = got.join(expected, on="kommun_kod")
    assert joined.height == 290
    np.testing.assert_allclose(joined["trend_sum_central_t"], joined["trend_sum_t"], rtol=1e-9)
    np.testing.assert_allclose(joined["allowed_sum_central_t"], joined["allowed_sum_t"], rtol=1e-9)
    assert joined["meets_paris_central"].to_list() == joined["meets_paris"].to_list()
    borlange = joined.filter(pl.col("kommun_kod") == BORLANGE).row(0, named=True)
    assert borlange["trend_sum_central_t"] == pytest.approx(7_154_677.42, abs=0.5)
    assert borlange["probability_on_path"] == 0.0  # 2.2x the path: no draw gets there
    # the further the central trend from the path, the surer the verdict (slope spread only)
    ratio = joined["trend_sum_t"] / joined["allowed_sum_t"]
    probability = joined["probability_on_path"]
    far_above, near, far_below = ratio > 2, (ratio - 1).abs() < 0.1, ratio < 0.5
    assert probability.filter(far_above).mean() < 0.01 < probability.filter(near).mean()
    assert probability.filter(far_below).min() == 1.0
    assert 0.2 < probability.filter(near).mean() < 0.8


def test_paris_probability_uses_the_nowcasts_ranges(nowcast_2026, june_2026):
    anchors = nowcast_2026.filter((pl.col("huvudsektor") == "Alla") & (pl.col("year") == 2026))
    got = paris_path_probability(
        totals_history(june_2026), anchors, as_of_year=2026, reduction_rate=0.1172, draws=400
    )
    again = paris_path_probability(
        totals_history(june_2026), anchors, as_of_year=2026, reduction_rate=0.1172, draws=400
    )
    assert got.equals(again)  # seeded
    assert got.height == 290
    on_path = got.filter(pl.col("meets_paris_central"))
    off_path = got.filter(~pl.col("meets_paris_central"))
    assert on_path["probability_on_path"].mean() > 0.5 > off_path["probability_on_path"].mean()
    stockholm = got.filter(pl.col("kommun_kod") == "0180").row(0, named=True)
    assert stockholm["meets_paris_central"] and stockholm["probability_on_path"] > 0.9
    assert got.filter(pl.col("kommun_kod") == BORLANGE)["probability_on_path"].item() == 0.0


def test_national_series_fetched_now_carries_no_year_after_2024():
    """Guard for the demo: the replay must not carry a made-up national 2025 (issue 23)."""
    frame, updated = nowcast_inputs.national_frame()
    assert updated == "2026-01-25"
    assert frame.drop_nulls("tonnes")["year"].max() == 2024


# ---------------------------------------------------------------- the assets


def test_the_nowcast_asset_writes_its_schema_and_reports_the_targets(tmp_path):
    """The Dagster asset over warehouse tables shaped as the dbt inputs: both CO2e releases, the
    published CO2 release and the archived one after it (the CO2 origin: backtested, never
    nowcast from), Sweden by sector as staged."""
    import dagster as dg

    from pipelines.defs.nowcast.assets import nowcast
    from pipelines.resources import ReportResource, WarehouseResource

    releases = pl.concat(
        [
            nowcast_inputs.release(gas, vintage).with_columns(
                gas=pl.lit(gas), vintage=pl.lit(vintage).str.to_date(), archived=pl.lit(archived)
            )
            for gas, vintage, archived in (
                ("CO2e", "2026-04-23", False),
                ("CO2e", "2026-06-25", False),
                ("CO2", "2024-04-18", False),
                ("CO2", "2025-06-18", True),
            )
        ]
    )
    frame, updated = nowcast_inputs.national_frame()
    national = frame.with_columns(vintage=pl.lit(updated).str.to_date())
    path = tmp_path / "w.duckdb"
    with warehouse.connect(path) as con:
        for schema in ("intermediate", "marts"):
            con.execute(f"create schema {schema}")
        con.register("r", releases)
        con.execute("create table intermediate.int_nowcast__releases as select * from r")
        con.register("n", national)
        con.execute("create table intermediate.int_nowcast__national_sectors as select * from n")
        con.execute("create table marts.fct_energy_balance (year integer)")
        con.execute("create table marts.fct_partner_emissions (year integer)")
    result = dg.materialize(
        [nowcast],
        resources={
            "warehouse": WarehouseResource(path=str(path), landing_dir=str(tmp_path / "landing")),
            "report": ReportResource(
                kommun=BORLANGE, dir=str(tmp_path / "reports"), trajectory_as_of_year=2026
            ),
        },
    )
    assert result.success
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert {n: c.passed for n, c in checks.items()} == {
        "nowcast_mae_at_most_persistence": True,
        "nowcast_mae_at_most_0_4_lad": True,
        "nowcast_mae_at_most_national_scaling": False,  # missed, and said: 1.02x
        "nowcast_coverage_80": True,
        "nowcast_coverage_95": True,
    }
    missed = checks["nowcast_mae_at_most_national_scaling"]
    assert missed.severity == dg.AssetCheckSeverity.WARN
    assert missed.metadata["value_CO2e"].value == [pytest.approx(1.0213, abs=1e-4)]
    assert checks["nowcast_coverage_80"].severity == dg.AssetCheckSeverity.ERROR
    with duckdb_connect(path) as con:
        borlange = con.execute(
            "select year, nowcast_t, lower_80_t, upper_80_t from nowcast.estimates "
            "where kommun_kod = ? and huvudsektor = 'Alla' and gas = 'CO2e' order by year",
            [BORLANGE],
        ).fetchall()
        gases = con.execute("select distinct gas from nowcast.estimates order by gas").fetchall()
        methods = con.execute(
            "select method, count(*) from nowcast.paris_probability group by method order by 1"
        ).fetchall()
        summary = con.execute(
            "select gas, origin_vintage, actual_vintage, count(*), max(kommuner) "
            "from nowcast.backtest_summary group by all order by gas"
        ).fetchall()
        estimated = con.execute(
            "select gas, min(base_vintage), min(base_year), min(year), max(year), "
            "count(*) filter (where not (lower_95_t <= lower_80_t and lower_80_t <= nowcast_t "
            "and nowcast_t <= upper_80_t and upper_80_t <= upper_95_t)) "
            "from nowcast.estimates group by gas order by gas"
        ).fetchall()
    assert [(y, round(t, 1)) for y, t, _, _ in borlange] == [(2025, 422_978.4), (2026, 422_160.9)]
    assert all(lo < t < hi for _, t, lo, hi in borlange)
    assert gases == [("CO2",), ("CO2e",)]
    assert methods == [("carbon_law", 290), ("carbon_law_1_7c", 290)]  # CO2e presets only
    assert summary == [
        ("CO2", "2024-04-18", "2025-06-18", len(bt.METHODS), 290),
        ("CO2e", "2026-04-23", "2026-06-25", len(bt.METHODS), 290),
    ]
    # The CO2 nowcast starts from the published release, never the archived one; the ranges
    # widened over four years stay nested.
    assert estimated == [
        ("CO2", "2024-04-18", 2022, 2023, 2026, 0),
        ("CO2e", "2026-06-25", 2024, 2025, 2026, 0),
    ]
    with duckdb_connect(path) as con:
        base_year = con.execute(
            "select gas, vintage, year, count(*), count(*) filter (where follows_common_factor) "
            "from nowcast.base_year_common_change group by all order by gas"
        ).fetchall()
    # each gas's nowcast base (the newest published release's last year), 290 x 9 cells
    assert base_year == [
        ("CO2", "2024-04-18", 2022, 2610, 104),
        ("CO2e", "2026-06-25", 2024, 2610, 149),
    ]
    materialized = result.asset_materializations_for_node("nowcast")
    notes = next(m for m in materialized if m.asset_key.path[-1] == "estimates").metadata
    assert notes["left_out"].value == "nothing"


def duckdb_connect(path):
    import duckdb

    return duckdb.connect(str(path), read_only=True)
