"""Trajectory core: presets, exact LAD, the three method kinds, the CLI.

Acceptance figures are Klimatkollen's published KPIs for Borlänge (methods.md §4.5)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pipelines import cli
from pipelines.defs.trajectory.compute import (
    SUMMARY_COLUMNS,
    YEARLY_COLUMNS,
    TrajectoryInputError,
    compute_trajectories,
)
from pipelines.defs.trajectory.lad import lad_fit, ols_fit
from pipelines.defs.trajectory.presets import COLUMNS as PRESET_COLUMNS
from pipelines.defs.trajectory.presets import MethodPreset, PresetError, load_presets
from tests.helpers import FIXTURES, REPO


def borlange_trajectory(argv: list[str]) -> int:
    return cli.main(["trajectory", *argv])


CO2E_2026 = FIXTURES / "tdp_bf20c58_co2e_totals.csv"  # June 2026 release, 2016-2019 missing
CO2_2024 = FIXTURES / "kk_2fc6856_co2_totals.csv"  # Dec 2024 site, CO2, cement deducted
BORLANGE = "2081"


def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, schema_overrides={"kommun_kod": pl.Utf8})


def row(result, kommun: str = BORLANGE) -> dict:
    rows = result.summary.filter(pl.col("kommun_kod") == kommun)
    assert rows.height == 1
    return rows.row(0, named=True)


def yearly_value(result, year: int, column: str = "emissions_t", kommun: str = BORLANGE):
    return result.yearly.filter((pl.col("kommun_kod") == kommun) & (pl.col("year") == year))[
        column
    ].item()


def series(kommun: str, values: dict[int, float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "kommun_kod": [kommun] * len(values),
            "year": list(values),
            "tonnes": list(values.values()),
        },
        schema={"kommun_kod": pl.Utf8, "year": pl.Int64, "tonnes": pl.Float64},
    )


@pytest.fixture(scope="module")
def presets() -> dict[str, MethodPreset]:
    return load_presets()


@pytest.fixture(scope="module")
def co2e_2026() -> pl.DataFrame:
    return read(CO2E_2026)


@pytest.fixture(scope="module")
def co2_2024() -> pl.DataFrame:
    return read(CO2_2024)


@pytest.fixture(scope="module")
def carbon_law_2026(co2e_2026, presets):
    return compute_trajectories(co2e_2026, presets["carbon_law"], as_of_year=2026)


# ---------------------------------------------------------------- presets


def test_seed_ships_the_four_presets(presets):
    assert list(presets) == ["carbon_law", "carbon_law_1_7c", "carbon_budget", "borlange_local"]
    assert presets["carbon_law"].reduction_rate == 0.1172 and presets["carbon_law"].gas == "CO2e"
    assert presets["carbon_law_1_7c"].reduction_rate == 0.0738
    budget = presets["carbon_budget"]
    assert (budget.kind, budget.gas, budget.trend_method, budget.budget_year) == (
        "carbon_budget",
        "CO2",
        "ols",
        2024,
    )
    assert budget.national_budget_net_t == pytest.approx(64_561_404, abs=1)  # methods.md §3.2
    local = presets["borlange_local"]
    assert (
        local.kind,
        local.kommun_kod,
        local.excludes,
        local.path_start_year,
        local.path_end_year,
    ) == ("fixed_rate_path", ("2081",), "SSAB", 2020, 2040)


def write_presets(tmp_path: Path, **overrides) -> Path:
    base = {c: "" for c in PRESET_COLUMNS}
    base.update(
        method="x",
        kind="carbon_law",
        gas="CO2e",
        trend_method="lad",
        trend_start_year="2015",
        reduction_rate="0.1",
        end_year="2050",
    )
    base.update(overrides)
    path = tmp_path / "presets.csv"
    path.write_text(
        ",".join(PRESET_COLUMNS) + "\n" + ",".join(base[c] for c in PRESET_COLUMNS) + "\n"
    )
    return path


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "linear"}, "kind must be one of"),
        ({"reduction_rate": ""}, "needs reduction_rate"),
        ({"reduction_rate": "11.72"}, "fraction per year"),
        ({"budget_year": "2024"}, "does not use budget_year"),
        ({"kommun_kod": "281"}, "4-digit codes"),
        ({"end_year": "twenty"}, "whole year"),
        ({"method": "Carbon Law"}, "lower-case name"),
        (
            {
                "kind": "carbon_budget",
                "reduction_rate": "",
                "national_budget_t": "8e7",
                "budget_year": "2024",
                "share_start_year": "2015",
                "overhead_t": "5e7",
            },
            "go together",
        ),
    ],
)
def test_bad_preset_rows_fail_with_the_line(tmp_path, overrides, message):
    with pytest.raises(PresetError, match=message) as error:
        load_presets(write_presets(tmp_path, **overrides))
    assert "presets.csv:2" in str(error.value)


def test_a_new_preset_is_a_new_row(tmp_path, co2e_2026):
    path = write_presets(
        tmp_path,
        method="carbon_law_2030",
        reduction_rate="0.2",
        end_year="2045",
        kommun_kod="2081;2080",
    )
    preset = load_presets(path)["carbon_law_2030"]
    result = compute_trajectories(co2e_2026, preset, 2026)
    assert result.summary["kommun_kod"].to_list() == ["2080", "2081"]
    assert result.yearly["year"].max() == 2045


# -------------------------------------------------------------- acceptance: Klimatkollen's Borlänge


def test_carbon_law_reproduces_klimatkollen_borlange(carbon_law_2026):
    b = row(carbon_law_2026)
    assert b["allowed_sum_t"] == pytest.approx(3_295_459, rel=1e-3)
    assert b["trend_sum_t"] == pytest.approx(7_154_677, rel=1e-3)
    assert b["slope_t_per_year"] == pytest.approx(-9_829.2, abs=1)
    assert abs((b["net_zero_date"] - dt.date(2067, 2, 12)).days) <= 2
    assert b["meets_paris"] is False
    assert b["budget_t"] == b["allowed_sum_t"] and b["required_reduction_pct"] == pytest.approx(
        11.72
    )
    assert b["trend_years"] == "2015,2020,2021,2022,2023,2024" and b["last_data_year"] == 2024
    assert b["trend_intercept_t"] == pytest.approx(
        378_558.8, abs=1
    )  # raw LAD fit at 2024, before anchoring
    # methods.md §3.3: through 2034 the trend sums to 3.283 Mt; the limit goes about 4 % into 2035.
    assert dt.date(2035, 1, 1) <= b["budget_exhausted_date"] <= dt.date(2035, 1, 31)
    assert b["gap_2030_t"] == pytest.approx(364_821 - 245_459, abs=2)
    assert yearly_value(carbon_law_2026, 2030, "trend_t") == pytest.approx(364_821, abs=1)
    assert yearly_value(carbon_law_2026, 2030, "allowed_t") == pytest.approx(245_459, abs=1)
    assert yearly_value(carbon_law_2026, 2050, "allowed_t") == pytest.approx(20_287, abs=1)
    assert yearly_value(carbon_law_2026, 2025) == pytest.approx(413_967, abs=1)
    assert yearly_value(carbon_law_2026, 2026) == pytest.approx(404_137, abs=1)


def test_carbon_law_yearly_paths(carbon_law_2026):
    borlange = carbon_law_2026.yearly.filter(pl.col("kommun_kod") == BORLANGE)
    assert tuple(carbon_law_2026.yearly.columns) == YEARLY_COLUMNS
    assert borlange["year"].to_list() == list(range(1990, 2051))
    kinds = dict(zip(borlange["year"].to_list(), borlange["emissions_kind"].to_list(), strict=True))
    assert (kinds[1990], kinds[2024], kinds[2025], kinds[2026], kinds[2027]) == (
        "actual",
        "actual",
        "approximated",
        "approximated",
        "trend",
    )
    assert (
        kinds[2017] is None and yearly_value(carbon_law_2026, 2017) is None
    )  # the 2026 release's gap stays a gap
    assert (
        yearly_value(carbon_law_2026, 2025, "allowed_t") is None
    )  # the path starts at the as-of year
    assert yearly_value(carbon_law_2026, 2026, "allowed_t") == pytest.approx(404_137, abs=1)
    assert (
        yearly_value(carbon_law_2026, 2014, "trend_t") is None
    )  # the trend starts with its fit window


def test_summary_columns_and_types(carbon_law_2026, presets, co2_2024):
    assert tuple(carbon_law_2026.summary.columns) == SUMMARY_COLUMNS
    assert carbon_law_2026.summary.height == 290
    schema = carbon_law_2026.summary.schema
    assert schema["net_zero_date"] == pl.Date and schema["budget_exhausted_date"] == pl.Date
    assert schema["meets_paris"] == pl.Boolean and schema["kommun_kod"] == pl.Utf8
    assert carbon_law_2026.summary["kommun_kod"].str.len_chars().min() == 4  # 0114 keeps its zero
    budget = compute_trajectories(co2_2024, presets["carbon_budget"], 2024)
    assert tuple(budget.summary.columns) == SUMMARY_COLUMNS


def test_carbon_budget_reproduces_klimatkollen_dec_2024(co2_2024, presets):
    result = compute_trajectories(co2_2024, presets["carbon_budget"], as_of_year=2024)
    b = row(result)
    assert b["budget_t"] == pytest.approx(669_971, rel=5e-3)
    assert b["allowed_sum_t"] == b["budget_t"]
    assert b["required_reduction_pct"] == pytest.approx(39.7, abs=0.05)
    assert abs((b["budget_exhausted_date"] - dt.date(2026, 1, 15)).days) <= 5
    assert yearly_value(result, 2024, "allowed_t") == pytest.approx(338_681, abs=1)  # Paris path E0
    assert yearly_value(result, 2024, "emissions_kind") == "approximated"
    assert (
        b["trend_method"] == "ols" and b["budget_negative"] is False and b["reduction_rate"] is None
    )
    assert b["trend_sum_t"] > b["budget_t"] and b["meets_paris"] is False
    # Klimatkollen printed 2057-12-10; the 9 days are its other date rule (365-day years counted
    # from 1 Jan 2023, so leap days accumulate), not a different crossing.
    assert abs((b["net_zero_date"] - dt.date(2057, 12, 10)).days) <= 10


# ---------------------------------------------------------------- LAD


def trend_matrix(frame: pl.DataFrame, start: int = 2015):
    wide = (
        frame.filter(pl.col("year") >= start)
        .pivot(on="year", index="kommun_kod", values="tonnes")
        .sort("kommun_kod")
    )
    years = np.array(sorted(int(c) for c in wide.columns[1:]))
    values = wide.select([str(y) for y in years]).to_numpy().astype(float)
    return wide["kommun_kod"].to_list(), years, values


def quantreg_slopes(years: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import statsmodels.api as sm

    x = sm.add_constant(years - years.max())
    params = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for y in values:
            params.append(sm.QuantReg(y, x).fit(q=0.5).params)
    params = np.array(params)
    return params[:, 1], params[:, 0]


def abs_residuals(years, values, intercept, slope):
    return np.abs(values - intercept[:, None] - slope[:, None] * (years - years.max())).sum(axis=1)


@pytest.mark.parametrize(("fixture", "expected_agreement"), [(CO2E_2026, 290), (CO2_2024, 225)])
def test_lad_matches_statsmodels_quantreg(fixture, expected_agreement):
    """The exact LAD against Klimatkollen's QuantReg(q=0.5) on every kommun.

    June 2026 (6 unevenly spaced years): every optimum is unique and all 290 agree.
    Dec 2024 (8 consecutive years): 65 kommuner have a flat optimum; QuantReg's iterative
    solver stops somewhere inside that flat segment (not at a fixed point of it), we return its
    midpoint. Every disagreement must be such a tie, with QuantReg's slope inside our optimal
    slope interval and no better objective than ours; anything else fails."""
    codes, years, values = trend_matrix(read(fixture))
    fit = lad_fit(years, values, ~np.isnan(values), np.full(len(values), float(years.max())))
    qr_slope, qr_intercept = quantreg_slopes(years, values)

    ours = abs_residuals(years, values, fit.intercept, fit.slope)
    theirs = abs_residuals(years, values, qr_intercept, qr_slope)
    assert np.all(ours <= theirs * (1 + 1e-9)), "exact LAD must never be worse than QuantReg"

    agree = np.abs(fit.slope - qr_slope) <= 1e-3 * np.abs(qr_slope)
    assert agree.sum() >= expected_agreement
    for k in np.flatnonzero(~agree):
        assert fit.tied[k], (
            f"kommun {codes[k]}: unique optimum {fit.slope[k]} but QuantReg gave {qr_slope[k]}"
        )
        tolerance = 1e-6 * max(1.0, abs(fit.slope[k]))
        assert fit.slope_low[k] - tolerance <= qr_slope[k] <= fit.slope_high[k] + tolerance, codes[
            k
        ]
        assert theirs[k] == pytest.approx(ours[k], rel=1e-6), codes[k]


def test_lad_tie_rule_is_the_midpoint_of_the_flat_segment():
    # y = 0, 0, 0, 1 at x = 0..3: every line from slope 0 (through the zeros) to slope 1/2
    # (through (1, 0) and (3, 1)) has the minimal sum of |residuals|, 1.
    years = np.arange(4.0)
    values = np.array([[0.0, 0.0, 0.0, 1.0]])
    present = np.ones_like(values, dtype=bool)
    fit = lad_fit(years, values, present, np.array([3.0]))
    assert fit.tied[0]
    assert (fit.slope_low[0], fit.slope_high[0]) == pytest.approx((0.0, 0.5))
    assert fit.slope[0] == pytest.approx(0.25) and fit.intercept[0] == pytest.approx(0.5)
    assert abs_residuals(years, values, fit.intercept, fit.slope)[0] == pytest.approx(
        1.0
    )  # still optimal
    assert (
        lad_fit(years, values, present, np.array([3.0])).slope[0] == fit.slope[0]
    )  # deterministic


def test_lad_ignores_missing_years_and_ols_is_polyfit():
    rng = np.random.default_rng(7)
    years = np.arange(2015, 2025, dtype=float)
    values = 1000 - 20 * (years - 2015) + rng.normal(0, 15, size=(50, len(years)))
    present = rng.random(values.shape) > 0.2
    present[:, :2] = True
    masked = np.where(present, values, np.nan)
    centre = np.full(len(values), 2024.0)
    lad = lad_fit(years, masked, present, centre)
    ols = ols_fit(years, masked, present, centre)
    for k in range(len(values)):
        x, y = years[present[k]], values[k][present[k]]
        assert ols.slope[k] == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-9)
        best = min(
            np.abs(y - (y[i] + (y[j] - y[i]) / (x[j] - x[i]) * (x - x[i]))).sum()
            for i in range(len(x))
            for j in range(i + 1, len(x))
        )
        mine = np.abs(y - lad.intercept[k] - lad.slope[k] * (x - 2024)).sum()
        assert mine == pytest.approx(best, rel=1e-12)


# ---------------------------------------------------------------- edge cases

YEARS = range(2015, 2025)


def test_rising_trend_never_reaches_net_zero(presets):
    rising = series("9001", {y: 1000.0 + 50 * (y - 2015) for y in YEARS})
    b = row(compute_trajectories(rising, presets["carbon_law"], 2026), "9001")
    assert b["slope_t_per_year"] == pytest.approx(50)
    assert b["net_zero_date"] is None and b["meets_paris"] is False
    assert b["budget_exhausted_date"] is not None


def test_kommun_already_at_zero(presets):
    zero = series("9002", {y: 0.0 for y in YEARS})
    b = row(compute_trajectories(zero, presets["carbon_law"], 2026), "9002")
    assert (b["slope_t_per_year"], b["trend_sum_t"], b["allowed_sum_t"]) == (0.0, 0.0, 0.0)
    assert b["meets_paris"] is True
    assert b["net_zero_date"] == dt.date(2024, 1, 1)  # already there at the last data year
    assert b["budget_exhausted_date"] is None


def test_a_single_missing_year(co2e_2026, presets):
    without_2022 = co2e_2026.filter(
        ~((pl.col("kommun_kod") == BORLANGE) & (pl.col("year") == 2022))
    )
    result = compute_trajectories(without_2022, presets["carbon_law"], 2026)
    b = row(result)
    assert b["trend_years"] == "2015,2020,2021,2023,2024"
    assert b["last_data_year"] == 2024 and b["trend_sum_t"] > 0
    assert yearly_value(result, 2022) is None and yearly_value(result, 2022, "trend_t") is not None
    budget = row(compute_trajectories(without_2022, presets["carbon_budget"], 2026))
    assert budget["trend_years"] == "2015,2020,2021,2023,2024"


def test_last_data_year_missing_moves_the_anchor(co2e_2026, presets):
    without_2024 = co2e_2026.filter(
        ~((pl.col("kommun_kod") == BORLANGE) & (pl.col("year") == 2024))
    )
    result = compute_trajectories(without_2024, presets["carbon_law"], 2026)
    assert row(result)["last_data_year"] == 2023
    assert yearly_value(result, 2024, "emissions_kind") == "approximated"


def test_negative_budget_is_kept_and_flagged(co2_2024, presets):
    # By 2027 Borlänge has spent more than its 2024 allocation (about 3 years at ~330 kt).
    result = compute_trajectories(co2_2024, presets["carbon_budget"], as_of_year=2027)
    b = row(result)
    assert (
        b["budget_negative"] is True and b["budget_t"] < 0 and b["allowed_sum_t"] == b["budget_t"]
    )
    assert b["required_reduction_pct"] is None
    assert b["budget_exhausted_date"] == dt.date(2024, 1, 1)
    assert b["meets_paris"] is False
    assert (
        result.yearly.filter(pl.col("kommun_kod") == BORLANGE)["allowed_t"].null_count()
        == result.yearly.filter(pl.col("kommun_kod") == BORLANGE).height
    )


def test_fewer_than_two_trend_years_names_the_kommun(co2e_2026, presets):
    short = pl.concat([co2e_2026, series("9003", {1990: 10.0, 2010: 8.0, 2024: 5.0})])
    with pytest.raises(TrajectoryInputError, match="9003"):
        compute_trajectories(short, presets["carbon_law"], 2026)


def test_as_of_year_ignores_later_data(co2e_2026, presets):
    b = row(compute_trajectories(co2e_2026, presets["carbon_law"], 2023))
    assert b["last_data_year"] == 2023 and "2024" not in b["trend_years"]


def test_input_errors(co2e_2026, presets):
    with pytest.raises(TrajectoryInputError, match="duplicate kommun-year rows: 2081 2024"):
        compute_trajectories(
            pl.concat([co2e_2026, series(BORLANGE, {2024: 1.0})]), presets["carbon_law"], 2026
        )
    with pytest.raises(TrajectoryInputError, match="lack column"):
        compute_trajectories(co2e_2026.drop("tonnes"), presets["carbon_law"], 2026)
    with pytest.raises(TrajectoryInputError, match="after carbon_law's end year"):
        compute_trajectories(co2e_2026, presets["carbon_law"], 2051)


# -------------------------------------------------------------- Borlänge's own path (excludes SSAB)


def test_borlange_local_without_ssab_data_is_not_met(co2e_2026, presets):
    result = compute_trajectories(co2e_2026, presets["borlange_local"], 2026)
    assert result.summary["kommun_kod"].to_list() == [BORLANGE]  # only the preset's kommun
    b = row(result)
    assert b["scope_status"] == "not met: no SSAB partner submission, so SSAB cannot be excluded"
    numeric = (
        "slope_t_per_year",
        "trend_sum_t",
        "allowed_sum_t",
        "meets_paris",
        "net_zero_date",
        "budget_t",
        "budget_exhausted_date",
        "required_reduction_pct",
        "gap_2030_t",
        "excluded_t",
        "budget_negative",
    )
    assert all(b[c] is None for c in numeric)
    assert b["last_data_year"] == 2024 and result.yearly.is_empty()


def test_borlange_local_subtracts_ssab(co2_2024, presets):
    ssab = pl.DataFrame(
        {
            "kommun_kod": BORLANGE,
            "year": list(range(2015, 2023)),
            "tonnes": 200_000.0,
            "source": "SSAB partner submission (test figure)",
        }
    )
    result = compute_trajectories(co2_2024, presets["borlange_local"], 2024, exclusions=ssab)
    b = row(result)
    assert (
        b["scope_status"] == "complete"
    )  # every year from 2015 has an SSAB figure; 1990-2010 are not used
    assert b["excluded_t"] == 200_000.0
    observed_2020 = co2_2024.filter((pl.col("kommun_kod") == BORLANGE) & (pl.col("year") == 2020))[
        "tonnes"
    ].item()
    base = observed_2020 - 200_000
    assert yearly_value(result, 2020, "allowed_t") == pytest.approx(base)
    assert yearly_value(result, 2040, "allowed_t") == pytest.approx(base * 0.836**20)
    allowed = sum(base * 0.836 ** (t - 2020) for t in range(2024, 2041))
    assert b["allowed_sum_t"] == pytest.approx(allowed)
    assert b["required_reduction_pct"] == pytest.approx(16.4)
    assert result.yearly["year"].min() == 2015 and result.yearly["year"].max() == 2040


def test_borlange_local_partial_exclusions_say_so(co2_2024, presets):
    ssab = pl.DataFrame(
        {"kommun_kod": BORLANGE, "year": [2015, 2020, 2021, 2022], "tonnes": 200_000.0}
    )
    b = row(compute_trajectories(co2_2024, presets["borlange_local"], 2024, exclusions=ssab))
    assert b["scope_status"].startswith("partial: no SSAB figure for 2016, 2017, 2018, 2019")
    assert b["trend_years"] == "2015,2020,2021,2022"


# ---------------------------------------------------------------- CLI


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = borlange_trajectory(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_writes_csv_and_json(tmp_path, capsys):
    out_csv, out_json = tmp_path / "s.csv", tmp_path / "s.json"
    common = ("--emissions", str(CO2E_2026), "--method", "carbon_law", "--as-of-year", "2026")
    assert run_cli(capsys, *common, "--out", str(out_csv))[0] == 0
    assert run_cli(capsys, *common, "--out", str(out_json))[0] == 0
    table = pl.read_csv(out_csv, schema_overrides={"kommun_kod": pl.Utf8}, infer_schema=False)
    assert tuple(table.columns) == SUMMARY_COLUMNS and table.height == 290
    borlange = table.filter(pl.col("kommun_kod") == BORLANGE).row(0, named=True)
    assert borlange["net_zero_date"] == "2067-02-12" and borlange["meets_paris"] == "false"
    rising = table.filter(pl.col("slope_t_per_year").cast(pl.Float64) > 0)
    assert (
        rising.height > 0 and rising["net_zero_date"].null_count() == rising.height
    )  # empty cell, no sentinel
    records = json.loads(out_json.read_text())
    by_code = {r["kommun_kod"]: r for r in records}
    assert by_code[BORLANGE]["net_zero_date"] == "2067-02-12"
    assert by_code[BORLANGE]["trend_sum_t"] == pytest.approx(7_154_677, rel=1e-3)
    assert by_code[rising["kommun_kod"][0]]["net_zero_date"] is None


def test_cli_prints_csv_to_stdout(capsys):
    code, out, _ = run_cli(
        capsys, "--emissions", str(CO2_2024), "--method", "carbon_budget", "--as-of-year", "2024"
    )
    assert code == 0 and out.splitlines()[0] == ",".join(SUMMARY_COLUMNS)
    assert any(line.startswith("2081,carbon_budget,2024,2022,CO2,") for line in out.splitlines())


def bad_csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("text", "method", "message", "exit_code"),
    [
        ("kommun_kod,year,t\n2081,2023,1\n", "carbon_law", "missing column(s) tonnes", 1),
        (
            "kommun_kod,year,tonnes\n2081,2023,1\n2081,2024,n/a\n",
            "carbon_law",
            "line 3: tonnes 'n/a' is not a number",
            1,
        ),
        (
            "kommun_kod,year,tonnes\n2081,2023,1\n2081,2024,2\n2081,2024,3\n",
            "carbon_law",
            "duplicate kommun-year 2081 2024 on lines 3, 4",
            1,
        ),
        (
            "kommun_kod,year,tonnes\n2081,2023,1\n2081,2024,2\n0114,2024,3\n",
            "carbon_law",
            "fewer than 2 years for kommun 0114",
            1,
        ),
        # an unknown method is a usage error, not a problem of the input file
        (
            "kommun_kod,year,tonnes\n2081,2023,1\n2081,2024,2\n",
            "carbon_lwa",
            "known methods: carbon_law, carbon_law_1_7c",
            2,
        ),
        (
            "kommun_kod,year,tonnes\n2081,2010,1\n2081,2014,2\n2081,2024,2\n",
            "carbon_law",
            "fewer than 2 years from 2015 to fit a trend for kommun 2081",
            1,
        ),
    ],
)
def test_cli_bad_input_exits_1_and_a_usage_error_2(
    tmp_path, capsys, text, method, message, exit_code
):
    code, out, err = run_cli(
        capsys, "--emissions", bad_csv(tmp_path, text), "--method", method, "--as-of-year", "2026"
    )
    assert code == exit_code and out == ""
    assert message in err


def swedish_dialect(source: Path, target: Path, extra: dict[str, str] | None = None) -> Path:
    """The project's own download dialect: BOM, ';', decimal comma, CRLF, optional extra columns."""
    frame = pl.read_csv(source, infer_schema=False)
    head = ["kommun_kod", "year", "tonnes", *(extra or {})]
    lines = [";".join(head)]
    for r in frame.iter_rows(named=True):
        lines.append(
            ";".join(
                [r["kommun_kod"], r["year"], r["tonnes"].replace(".", ","), *(extra or {}).values()]
            )
        )
    target.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return target


def test_cli_reads_the_swedish_dialect_as_the_comma_one_and_says_which(tmp_path, capsys):
    common = ("--method", "carbon_law", "--as-of-year", "2026")
    code, comma_out, comma_err = run_cli(capsys, "--emissions", str(CO2E_2026), *common)
    assert code == 0 and "decimal point" in comma_err
    swedish = swedish_dialect(CO2E_2026, tmp_path / "sv.csv")
    code, swedish_out, swedish_err = run_cli(capsys, "--emissions", str(swedish), *common)
    assert code == 0 and "decimal comma" in swedish_err
    assert swedish_out == comma_out
    borlange = [line for line in swedish_out.splitlines() if line.startswith("2081,")]
    assert len(borlange) == 1 and ",2067-02-12," in borlange[0]


def test_cli_keeps_one_gas_and_the_newest_release_of_a_download(tmp_path, capsys):
    """A download of marts.emissions_per_capita has gas and in_latest_release columns."""
    good = swedish_dialect(
        CO2E_2026, tmp_path / "a.csv", {"gas": "CO2e", "in_latest_release": "true"}
    )
    other_gas = swedish_dialect(
        CO2_2024, tmp_path / "b.csv", {"gas": "CO2", "in_latest_release": "true"}
    )
    old = swedish_dialect(
        CO2_2024, tmp_path / "c.csv", {"gas": "CO2e", "in_latest_release": "false"}
    )
    both = tmp_path / "both.csv"
    body = [p.read_text(encoding="utf-8-sig").splitlines() for p in (good, other_gas, old)]
    both.write_text("\n".join(body[0] + body[1][1:] + body[2][1:]) + "\n", encoding="utf-8")
    common = ("--method", "carbon_law", "--as-of-year", "2026")
    code, out, _ = run_cli(capsys, "--emissions", str(both), *common)
    code_alone, out_alone, _ = run_cli(capsys, "--emissions", str(CO2E_2026), *common)
    assert code == code_alone == 0 and out == out_alone


def published_build(serving: Path, series: dict[int, float]) -> Path:
    """A minimal published build: serving/current -> builds/<id> with the mart --kommun reads."""
    import duckdb

    from pipelines.lib import publish

    folder = serving / publish.BUILDS_DIR / "20261207T000000Z-test"
    folder.mkdir(parents=True)
    with duckdb.connect(str(folder / publish.SERVING_FILE)) as con:
        con.execute(
            "create schema marts; create table marts.emissions_per_capita (gas varchar,"
            " kommun_kod varchar, year integer, tonnes double, in_latest_release boolean)"
        )
        for year, tonnes in series.items():
            con.execute(
                "insert into marts.emissions_per_capita values"
                " ('CO2e', '2081', ?, ?, true), ('CO2', '2081', ?, ?, true),"
                " ('CO2e', '2081', ?, 1e9, false)",
                [year, tonnes, year, tonnes / 2, year],
            )
    (serving / publish.CURRENT).symlink_to(Path(publish.BUILDS_DIR) / folder.name)
    return folder


def test_cli_starts_from_a_kommuns_published_series(tmp_path, capsys, monkeypatch):
    rows = pl.read_csv(CO2E_2026, infer_schema=False).filter(pl.col("kommun_kod") == BORLANGE)
    series = {int(r["year"]): float(r["tonnes"]) for r in rows.iter_rows(named=True)}
    published_build(tmp_path / "serving", series)
    monkeypatch.setenv("SERVING_DIR", str(tmp_path / "serving"))
    common = ("--method", "carbon_law", "--as-of-year", "2026")
    code, out, err = run_cli(capsys, "--kommun", BORLANGE, *common)
    assert code == 0 and "from build 20261207T000000Z-test" in err
    _, from_file, _ = run_cli(capsys, "--emissions", str(CO2E_2026), *common)
    expected = [line for line in from_file.splitlines() if line.startswith("2081,")]
    assert out.splitlines()[1:] == expected
    code, _, err = run_cli(capsys, "--kommun", "2080", *common)
    assert code == 1 and "kommun 2080 has no CO2e series" in err
    with pytest.raises(SystemExit) as usage:  # argparse's usage error
        run_cli(capsys, "--kommun", "２０８１", *common)
    assert usage.value.code == 2 and "four-digit" in capsys.readouterr().err


def test_cli_without_a_published_build_says_to_run_the_demo(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SERVING_DIR", str(tmp_path / "nothing"))
    code, _, err = run_cli(capsys, "--kommun", BORLANGE, "--method", "carbon_law")
    assert code == 1 and "make demo" in err


def test_the_documented_example_runs(capsys):
    example = REPO / "docs" / "examples" / "trajectory_input.csv"
    code, out, err = run_cli(capsys, "--emissions", str(example), "--method", "carbon_law")
    assert code == 0 and "decimal comma" in err
    assert sorted(line[:4] for line in out.splitlines()[1:]) == ["2080", "2081", "2085"]


def test_cli_as_a_module_exits_1_on_bad_input(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "trajectory",
            "--emissions",
            str(tmp_path / "none.csv"),
            "--method",
            "carbon_law",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 1 and "no such file" in done.stderr


def test_borlange_trajectory_is_the_same_command():
    borlange = Path(sys.executable).with_name("borlange")
    done = subprocess.run(
        [
            str(borlange),
            "trajectory",
            "--emissions",
            str(CO2_2024),
            "--method",
            "carbon_budget",
            "--as-of-year",
            "2024",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0 and done.stdout.splitlines()[0] == ",".join(SUMMARY_COLUMNS)
    usage = subprocess.run(
        [str(borlange), "trajectory", "--method", "carbon_law"], capture_output=True, text=True
    )
    assert usage.returncode == 2 and "--emissions" in usage.stderr


# ---------------------------------------------------------------- fixtures


def test_fixtures_are_what_the_script_makes():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_kk_fixture", FIXTURES / "make_kk_fixture.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    MADE, SOURCE, vintage_totals = script.FIXTURES, script.SOURCE, script.vintage_totals
    if not SOURCE.exists():
        pytest.skip(f"{SOURCE} not available")
    for vintage, name in MADE.items():
        expected = vintage_totals(SOURCE, vintage)
        assert read(FIXTURES / name).equals(expected), name
