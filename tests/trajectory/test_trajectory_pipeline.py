"""The trajectory asset inside the pipeline: Klimatkollen's published Borlänge figures from our
own warehouse (methods.md §4.5), fct_carbon_budget, the checks and the charts."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest

from pipelines.defs.trajectory.assets import check_name, on_track_check
from pipelines.defs.trajectory.runs import without_cement

BORLANGE = "2081"


def trajectory_row(con, method):
    rows = (
        con.sql(
            "select * from marts.trajectory where kommun_kod = ? and method = ?",
            params=[BORLANGE, method],
        )
        .pl()
        .to_dicts()
    )
    assert len(rows) == 1
    return rows[0]


def test_carbon_law_from_the_warehouse_matches_klimatkollen(demo_con):
    row = trajectory_row(demo_con, "carbon_law")
    assert row["as_of_year"] == 2026 and row["last_data_year"] == 2024 and row["gas"] == "CO2e"
    assert row["allowed_sum_t"] == pytest.approx(3_295_459, rel=0.001)
    assert row["trend_sum_t"] == pytest.approx(7_154_677, rel=0.001)
    assert row["slope_t_per_year"] == pytest.approx(-9_829, abs=1)
    assert abs((row["net_zero_date"] - date(2067, 2, 12)).days) <= 2
    assert row["meets_paris"] is False
    assert row["trend_years"] == "2015,2020,2021,2022,2023,2024"
    assert row["budget_exhausted_date"].year == 2035  # methods.md §3.3: early 2035


def test_every_kommun_gets_every_national_method(demo_con):
    counts = dict(
        demo_con.sql("select method, count(*) from marts.trajectory group by 1").fetchall()
    )
    assert counts["carbon_law"] == counts["carbon_law_1_7c"] == counts["carbon_budget"] == 290
    assert counts["borlange_local"] == 1


def test_borlange_local_says_its_scope_is_not_met_without_ssab(demo_con):
    row = trajectory_row(demo_con, "borlange_local")
    assert row["scope_status"].startswith("not met")
    assert (
        row["meets_paris"] is None and row["trend_sum_t"] is None and row["allowed_sum_t"] is None
    )


def test_carbon_budget_as_of_2026_runs_out_in_2026_and_negative_budgets_are_kept(demo_con):
    # Dec 2024 said Borlänge's budget runs out 2026-01-15: as of 2026 only a sliver is left.
    row = trajectory_row(demo_con, "carbon_budget")
    assert row["gas"] == "CO2" and row["last_data_year"] == 2022
    assert 0 < row["budget_t"] < 50_000 and row["budget_exhausted_date"].year == 2026
    negative = demo_con.sql("""select count(*), max(budget_t), count(required_reduction_pct)
                               from marts.trajectory where method = 'carbon_budget' and
                                   budget_negative""").fetchall()[0]
    assert negative[0] > 0 and negative[1] < 0 and negative[2] == 0  # kept negative, never clipped


def test_fct_carbon_budget_adds_up_year_by_year(demo_con):
    rows = demo_con.sql(
        """select year, allowed_t, cumulative_allowed_t, emissions_kind, cumulative_emissions_t,
                                  budget_t, remaining_budget_t
                           from marts.fct_carbon_budget where kommun_kod = ? and method =
                               'carbon_law'
                           order by year""",
        params=[BORLANGE],
    ).pl()
    last = rows.filter(rows["year"] == 2050).to_dicts()[0]
    assert last["cumulative_allowed_t"] == pytest.approx(3_295_459, rel=0.001)
    assert last["cumulative_emissions_t"] == pytest.approx(7_154_677, rel=0.001)
    assert last["remaining_budget_t"] == pytest.approx(
        last["budget_t"] - last["cumulative_emissions_t"]
    )
    kinds = dict(zip(rows["year"], rows["emissions_kind"], strict=True))
    assert (kinds[2024], kinds[2025], kinds[2027]) == ("actual", "approximated", "trend")
    crossing = rows.filter(rows["remaining_budget_t"] < 0)["year"].min()
    assert crossing == 2035


def test_check_warns_with_the_gap_in_tonnes_and_years(demo_con):
    result = on_track_check(trajectory_row(demo_con, "carbon_law"), "carbon_law")
    assert result.check_name == check_name("carbon_law")
    assert result.passed is False and result.severity == dg.AssetCheckSeverity.WARN
    meta = {k: v.value for k, v in result.metadata.items()}
    assert meta["excess_t"] == pytest.approx(7_154_677 - 3_295_459, abs=10)
    assert meta["net_zero_years_after_2030"] == 37
    assert meta["budget_exhausted_date"].startswith("2035")


def test_check_on_an_unmet_scope_warns_with_the_reason(demo_con):
    result = on_track_check(trajectory_row(demo_con, "borlange_local"), "borlange_local")
    assert result.passed is False and "SSAB" in result.metadata["reason"].value


def test_charts_are_written_for_borlange(demo_warehouse):
    for method in ("carbon_law", "carbon_law_1_7c", "carbon_budget"):
        png = demo_warehouse.report.dir / f"trajectory_{BORLANGE}_{method}.png"
        html = demo_warehouse.report.dir / f"trajectory_{BORLANGE}_{method}.html"
        assert png.read_bytes().startswith(b"\x89PNG")
        text = html.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text  # self-contained
        assert "Borlänge" in text and '"method": "' + method in text


def test_cement_is_taken_out_only_where_reported():
    import polars as pl

    emissions = pl.DataFrame(
        {"kommun_kod": ["0980", "2081"], "year": [2022, 2022], "tonnes": [1_693_531.0, 362_176.0]}
    )
    cement = pl.DataFrame({"kommun_kod": ["0980"], "year": [2022], "cement_t": [1_514_132.0]})
    out = dict(
        zip(
            *without_cement(emissions, cement)
            .select("kommun_kod", "tonnes")
            .to_dict(as_series=False)
            .values(),
            strict=True,
        )
    )
    assert out == {"0980": pytest.approx(179_399.0), "2081": 362_176.0}


def test_carbon_budget_from_the_warehouse_reproduces_dec_2024(demo_con):
    """Our own SMHI CO2 export (2024-04-18, data to 2022) less the cement seed is exactly
    Klimatkollen's Dec 2024 input, so the preset run as of 2024 gives its published budget."""
    from pipelines.defs.trajectory.compute import compute_trajectories
    from pipelines.defs.trajectory.presets import load_presets
    from pipelines.defs.trajectory.runs import scope_inputs

    preset = load_presets()["carbon_budget"]
    emissions, exclusions = scope_inputs(demo_con, preset)
    row = (
        compute_trajectories(emissions, preset, 2024, exclusions=exclusions)
        .summary.filter(pl_col_kommun(BORLANGE))
        .to_dicts()[0]
    )
    assert row["budget_t"] == pytest.approx(669_971, rel=0.005)
    assert row["required_reduction_pct"] == pytest.approx(39.7, abs=0.05)
    assert abs((row["budget_exhausted_date"] - date(2026, 1, 15)).days) <= 5


def pl_col_kommun(kommun_kod):
    import polars as pl

    return pl.col("kommun_kod") == kommun_kod
