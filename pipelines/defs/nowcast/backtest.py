"""The nowcast's backtest over SMHI releases the warehouse keeps: the rows of
marts.fct_nowcast_backtest and marts.fct_nowcast_backtest_summary.

An origin is a release (what was known), the release after it (what SMHI later published for
the next year) and Sweden's figures by sector as published before that later release. Every
kommun both releases have is scored, for every year the later release adds, by five methods:

  nowcast              the method (model.py) with Sweden's figure for the year
  nowcast_no_national  the same before Sweden's figure exists (damped own trend only)
  lad                  Klimatkollen's approximated value: the LAD trend of the kommun total
                       (2015 on) anchored at the last value, reproduced through the trajectory
                       code (compute.py) with Klimatkollen's carbon_law settings
  persistence          the last value
  national_scaling     each sector's last value times Sweden's change in the sector

The nowcast's parameters come from the origin release's own history (model.py) and its ranges
from the other kommuner's errors on the same origin (intervals.py): no kommun's scored value
sets anything used to score it. The summary adds, for information, the coverage the ranges get
when calibrated on the other origins instead (the nowcast in production is calibrated on an
earlier year than the one it estimates).

The summary also says how much of each release's newest year moved by one common factor per
sector (`common_change_shares`): SMHI fills the parts of a kommun's newest year it has no
local data for yet by scaling the year before, and such a year scores how well a method
reproduces that scaling, not only how the kommuner moved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.defs.nowcast.intervals import (
    LEVELS,
    Calibration,
    bounds,
    configuration,
    conformal_quantile,
    leave_one_out_quantiles,
    relative_scores,
)
from pipelines.defs.nowcast.model import (
    TREND_START_YEAR,
    NowcastParameters,
    SectorForecast,
    fit_parameters,
    forecast,
    national_ratio,
    sector_slopes,
)
from pipelines.defs.nowcast.panel import (
    NationalSeries,
    NowcastInputError,
    SectorPanel,
    common_kommuner,
    national_series,
    sector_panel,
)
from pipelines.defs.trajectory.compute import compute_trajectories
from pipelines.defs.trajectory.presets import MethodPreset

NOWCAST, NOWCAST_NO_NATIONAL = "nowcast", "nowcast_no_national"
LAD, PERSISTENCE, NATIONAL_SCALING = "lad", "persistence", "national_scaling"
METHODS = (NOWCAST, NOWCAST_NO_NATIONAL, LAD, PERSISTENCE, NATIONAL_SCALING)
WITH_RANGES = (NOWCAST, NOWCAST_NO_NATIONAL)

ROW_SCHEMA = {
    "origin_vintage": pl.Utf8,
    "actual_vintage": pl.Utf8,
    "gas": pl.Utf8,
    "kommun_kod": pl.Utf8,
    "base_year": pl.Int64,
    "target_year": pl.Int64,
    "method": pl.Utf8,
    "predicted_t": pl.Float64,
    "lower_80_t": pl.Float64,
    "upper_80_t": pl.Float64,
    "lower_95_t": pl.Float64,
    "upper_95_t": pl.Float64,
    "actual_t": pl.Float64,
    "error_t": pl.Float64,
    "abs_error_pct": pl.Float64,
    "covered_80": pl.Boolean,
    "covered_95": pl.Boolean,
    "national_indicator": pl.Utf8,
    "parameters_fitted_on": pl.Utf8,
    "interval_calibration": pl.Utf8,
}
SUMMARY_SCHEMA = {
    "origin_vintage": pl.Utf8,
    "actual_vintage": pl.Utf8,
    "gas": pl.Utf8,
    "method": pl.Utf8,
    "kommuner": pl.Int64,
    "mae_t": pl.Float64,
    "mae_pct": pl.Float64,
    "median_ae_t": pl.Float64,
    "median_ae_pct": pl.Float64,
    "coverage_80": pl.Float64,
    "coverage_95": pl.Float64,
    "coverage_80_other_origins": pl.Float64,
    "coverage_95_other_origins": pl.Float64,
    "mae_ratio_to_lad": pl.Float64,
    "mae_ratio_to_persistence": pl.Float64,
    "mae_ratio_to_national_scaling": pl.Float64,
    "origin_common_change_share": pl.Float64,
    "actual_common_change_share": pl.Float64,
}
COMMON_CHANGE_SCHEMA = {
    "vintage": pl.Utf8,
    "gas": pl.Utf8,
    "year": pl.Int64,
    "huvudsektor": pl.Utf8,
    "common_factor": pl.Float64,
    "kommuner_considered": pl.Int64,
    "kommuner_common": pl.Int64,
    "tonnes_share": pl.Float64,
    "sector_t": pl.Float64,  # the sector's tonnes in `year`, all kommuner
}
COMMON_CELL_SCHEMA = {
    "vintage": pl.Utf8,
    "gas": pl.Utf8,
    "year": pl.Int64,
    "kommun_kod": pl.Utf8,
    "huvudsektor": pl.Utf8,
    "previous_t": pl.Float64,  # the kommun's sector in year - 1
    "tonnes": pl.Float64,  # ... in year
    "ratio": pl.Float64,  # tonnes / previous_t; null where previous_t is 0
    "common_factor": pl.Float64,  # the sector's modal ratio; null where no kommun is considered
    "considered": pl.Boolean,  # previous_t >= COMMON_CHANGE_MIN_T
    "follows_common_factor": pl.Boolean,
}
# A kommun's sector counts towards the common change only from this size: below it, rounding
# to whole tonnes alone moves the ratio by more than the tolerance.
COMMON_CHANGE_MIN_T = 1000.0
# |ratio - common factor| counted as common; the factor is the modal ratio to 3 decimals.
COMMON_CHANGE_TOLERANCE = 0.0005


@dataclass(frozen=True)
class BacktestOrigin:
    origin: SectorPanel  # the release the estimate is made from
    actual: SectorPanel  # the release that later published the target year(s)
    national: NationalSeries  # Sweden by sector, as published before `actual`

    @property
    def key(self) -> str:
        return f"{self.origin.gas} {self.origin.vintage}->{self.actual.vintage}"


def backtest_origin(
    origin: pl.DataFrame,
    actual: pl.DataFrame,
    national: pl.DataFrame,
    *,
    gas: str,
    origin_vintage: str,
    actual_vintage: str,
    national_vintage: str,
) -> BacktestOrigin:
    """An origin from long frames: two releases (kommun_kod, huvudsektor, year, tonnes; 'Alla'
    rows optional) and Sweden by sector (sources/national_emissions.py's frame)."""
    return BacktestOrigin(
        sector_panel(origin, gas=gas, vintage=origin_vintage),
        sector_panel(actual, gas=gas, vintage=actual_vintage),
        national_series(national, gas=gas, vintage=national_vintage),
    )


@dataclass(frozen=True)
class OriginScores:
    origin: BacktestOrigin
    kommuner: np.ndarray
    parameters: NowcastParameters
    calibration: Calibration  # this origin's scores: the ranges of a later nowcast


@dataclass(frozen=True)
class BacktestResult:
    rows: pl.DataFrame  # ROW_SCHEMA: fct_nowcast_backtest
    summary: pl.DataFrame  # SUMMARY_SCHEMA: fct_nowcast_backtest_summary
    parameters: pl.DataFrame  # the fitted alpha and phi per origin and sector
    scores: list[OriginScores]
    common_change: pl.DataFrame  # COMMON_CHANGE_SCHEMA: each origin's and actual's newest year

    def calibration(self, gas: str) -> Calibration:
        """The newest origin's scores of `gas`: what a nowcast made today is calibrated on."""
        candidates = [s for s in self.scores if s.origin.origin.gas == gas]
        if not candidates:
            raise NowcastInputError(f"no backtest origin of gas {gas}")
        return max(candidates, key=lambda s: s.origin.actual.vintage).calibration


# ---------------------------------------------------------------- methods


def klimatkollen_approximation(
    panel: SectorPanel, years: list[int], start: int = TREND_START_YEAR
) -> np.ndarray:
    """(K, len(years)) Klimatkollen's approximated_<year> for the release's kommun totals:
    the trajectory code's LAD trend with Klimatkollen's carbon_law settings (methods.md §3.1)."""
    preset = MethodPreset(
        method="klimatkollen_lad",
        kind="carbon_law",
        gas=panel.gas,
        trend_method="lad",
        trend_start_year=start,
        end_year=2050,
        reduction_rate=0.1172,
    )
    totals = pl.DataFrame(
        {
            "kommun_kod": np.repeat(panel.kommuner, len(panel.years)).tolist(),
            "year": np.tile(panel.years, len(panel.kommuner)).tolist(),
            "tonnes": panel.totals.reshape(-1).tolist(),
        }
    )
    out = np.full((len(panel.kommuner), len(years)), np.nan)
    for j, year in enumerate(years):
        yearly = compute_trajectories(totals, preset, as_of_year=year).yearly
        approximated = dict(
            yearly.filter((pl.col("year") == year) & (pl.col("emissions_kind") == "approximated"))
            .select("kommun_kod", "emissions_t")
            .rows()
        )
        out[:, j] = [approximated.get(k, np.nan) for k in panel.kommuner]
    return out


def national_scaling(panel: SectorPanel, national: NationalSeries, target_year: int) -> np.ndarray:
    """(K,) each sector's last value times Sweden's change in it (1 where not published)."""
    ratio = national_ratio(national, panel.last_year, target_year)
    return (panel.at(panel.last_year) * np.where(np.isnan(ratio), 1.0, ratio)).sum(axis=1)


def national_label(national: NationalSeries | None, step: SectorForecast) -> str:
    if national is None or step.national_kind == "none":
        return "none: no national figure used"
    years = sorted({int(y) for y in step.national_to if y > step.base_year})
    notes = "; ".join(sorted({national.notes.get(y, "") for y in years}))
    return (
        f"Sweden by sector {step.base_year}->{years[-1]} ({step.national_kind}, "
        f"{national.gas}, vintage {national.vintage}): {notes}"
    )


# ---------------------------------------------------------------- the scored year's make-up


def common_change_cells(panel: SectorPanel, year: int) -> pl.DataFrame:
    """Per kommun and sector of the release's `year` (COMMON_CELL_SCHEMA): its change from the
    year before and whether that is its sector's common factor, the modal ratio year/(year - 1)
    to 3 decimals among the kommuner with at least COMMON_CHANGE_MIN_T in the sector (only those
    are considered; a kommun follows it within COMMON_CHANGE_TOLERANCE). Kommuner move
    differently from year to year, so a cell on the common factor is most likely SMHI's own
    scaling of the year before where it lacked the year's local data: an inference from the
    figures, not SMHI's statement."""
    before, now = panel.at(year - 1), panel.at(year)
    considered = before >= COMMON_CHANGE_MIN_T
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(before > 0, now / before, np.nan)
    factor = np.full(len(panel.sectors), np.nan)
    for s in range(len(panel.sectors)):
        if considered[:, s].any():
            values, counts = np.unique(np.round(ratio[considered[:, s], s], 3), return_counts=True)
            factor[s] = values[int(np.argmax(counts))]
    follows = considered & (np.abs(ratio - factor[None, :]) <= COMMON_CHANGE_TOLERANCE)
    k, n = len(panel.kommuner), len(panel.sectors)
    return pl.DataFrame(
        {
            "vintage": [panel.vintage] * (k * n),
            "gas": [panel.gas] * (k * n),
            "year": [year] * (k * n),
            "kommun_kod": np.repeat(panel.kommuner, n).tolist(),
            "huvudsektor": list(panel.sectors) * k,
            "previous_t": before.reshape(-1),
            "tonnes": now.reshape(-1),
            "ratio": ratio.reshape(-1),
            "common_factor": np.tile(factor, k),
            "considered": considered.reshape(-1),
            "follows_common_factor": follows.reshape(-1),
        },
        schema=COMMON_CELL_SCHEMA,
    ).with_columns(pl.col("ratio", "common_factor").fill_nan(None))


def common_change_shares(panel: SectorPanel, year: int) -> pl.DataFrame:
    """Per sector, how much of the release's `year` moved from the year before by the sector's
    common factor (COMMON_CHANGE_SCHEMA; common_change_cells): the kommuner considered and
    following it, and the share of the sector's `year` tonnes (all kommuner) in those."""
    cells = common_change_cells(panel, year)
    return (
        cells.group_by("vintage", "gas", "year", "huvudsektor", maintain_order=True)
        .agg(
            common_factor=pl.col("common_factor").first(),
            kommuner_considered=pl.col("considered").sum(),
            kommuner_common=pl.col("follows_common_factor").sum(),
            common_t=pl.col("tonnes").filter(pl.col("follows_common_factor")).sum(),
            sector_t=pl.col("tonnes").sum(),
        )
        .with_columns(
            tonnes_share=pl.when(pl.col("sector_t") > 0)
            .then(pl.col("common_t") / pl.col("sector_t"))
            .otherwise(0.0)
        )
        .select([pl.col(c).cast(t) for c, t in COMMON_CHANGE_SCHEMA.items()])
    )


def year_common_change_shares(common_change: pl.DataFrame) -> dict[tuple[str, str, int], float]:
    """(vintage, gas, year) -> the share of that year's tonnes, all sectors, that moved by its
    sector's common factor (from common_change_shares' rows)."""
    shares = common_change.group_by("vintage", "gas", "year").agg(
        share=(pl.col("tonnes_share") * pl.col("sector_t")).sum() / pl.col("sector_t").sum()
    )
    return {(v, g, y): share for v, g, y, share in shares.iter_rows()}


# ---------------------------------------------------------------- running


def score_origin(
    origin: BacktestOrigin, start: int = TREND_START_YEAR
) -> tuple[list, OriginScores]:
    """The rows of one origin and its scores."""
    kommuner = common_kommuner(origin.origin, origin.actual)
    panel = origin.origin.restrict(kommuner)
    actual = origin.actual.restrict(kommuner)
    if panel.gas != actual.gas or panel.gas != origin.national.gas:
        raise NowcastInputError(f"{origin.key}: the releases and Sweden's series differ in gas")
    targets = [int(y) for y in actual.years if y > panel.last_year]
    if not targets:
        raise NowcastInputError(f"{origin.key}: the later release adds no year")
    parameters = fit_parameters(panel, start)
    slopes = sector_slopes(panel, panel.last_year, start)
    lad = klimatkollen_approximation(panel, targets, start)
    frames, totals_scores, sector_scores, sector_estimates = [], {}, {}, {}
    for j, target in enumerate(targets):
        truth = actual.total_at(target)
        steps = {
            NOWCAST: forecast(panel, parameters, origin.national, target, slopes=slopes),
            NOWCAST_NO_NATIONAL: forecast(panel, parameters, None, target, slopes=slopes),
        }
        predictions = {method: step.totals for method, step in steps.items()}
        predictions[LAD] = lad[:, j]
        predictions[PERSISTENCE] = panel.total_at(panel.last_year)
        predictions[NATIONAL_SCALING] = national_scaling(panel, origin.national, target)
        for method in METHODS:
            frame = method_rows(origin, panel, kommuner, target, method, predictions[method], truth)
            if method == NATIONAL_SCALING:
                frame = frame.with_columns(
                    national_indicator=pl.lit(national_label(origin.national, steps[NOWCAST]))
                )
            if method in steps:
                step = steps[method]
                config = configuration(step.national_years, step.trend_years)
                scores = relative_scores(truth, step.totals)
                totals_scores[config] = scores
                sector_scores[config] = relative_scores(actual.at(target), step.values)
                sector_estimates[config] = step.values
                frame = with_ranges(frame, step.totals, scores, config)
                frame = frame.with_columns(
                    national_indicator=pl.lit(national_label(origin.national, step)),
                    parameters_fitted_on=pl.lit(parameters.fitted_on),
                )
            frames.append(frame)
    calibration = Calibration(
        panel.gas,
        f"backtest {origin.key} ({len(kommuner)} kommuner)",
        totals_scores,
        sector_scores,
        sector_estimates,
    )
    return frames, OriginScores(origin, kommuner, parameters, calibration)


def method_rows(origin, panel, kommuner, target, method, predicted, actual) -> pl.DataFrame:
    n = len(kommuner)
    return pl.DataFrame(
        {
            "origin_vintage": [origin.origin.vintage] * n,
            "actual_vintage": [origin.actual.vintage] * n,
            "gas": [panel.gas] * n,
            "kommun_kod": kommuner.tolist(),
            "base_year": [panel.last_year] * n,
            "target_year": [target] * n,
            "method": [method] * n,
            "predicted_t": predicted,
            "actual_t": actual,
        }
    ).with_columns(
        error_t=pl.col("predicted_t") - pl.col("actual_t"),
        abs_error_pct=100.0
        * (pl.col("predicted_t") - pl.col("actual_t")).abs()
        / pl.col("actual_t"),
    )


def with_ranges(frame: pl.DataFrame, estimate, scores, config: str) -> pl.DataFrame:
    """Leave-one-kommun-out split-conformal ranges at both levels."""
    columns = {}
    for level in LEVELS:
        tag = f"{round(level * 100)}"
        lower, upper = bounds(estimate, leave_one_out_quantiles(scores, level))
        columns[f"lower_{tag}_t"] = lower
        columns[f"upper_{tag}_t"] = upper
    return frame.with_columns(
        **{name: pl.Series(values) for name, values in columns.items()},
        interval_calibration=pl.lit(
            f"split conformal on relative errors, each kommun's range from the other "
            f"{len(scores) - 1} kommuner's errors on this origin ({config})"
        ),
    ).with_columns(
        covered_80=(pl.col("actual_t") >= pl.col("lower_80_t"))
        & (pl.col("actual_t") <= pl.col("upper_80_t")),
        covered_95=(pl.col("actual_t") >= pl.col("lower_95_t"))
        & (pl.col("actual_t") <= pl.col("upper_95_t")),
    )


def run_backtest(origins: list[BacktestOrigin], start: int = TREND_START_YEAR) -> BacktestResult:
    frames, scores = [], []
    for origin in origins:
        rows, origin_scores = score_origin(origin, start)
        frames.extend(rows)
        scores.append(origin_scores)
    rows = (
        pl.concat(frames, how="diagonal_relaxed")
        .select([pl.col(c).cast(t) for c, t in ROW_SCHEMA.items()])
        .sort("gas", "origin_vintage", "method", "kommun_kod", "target_year")
    )
    parameters = pl.concat(
        [
            s.parameters.frame().with_columns(origin_vintage=pl.lit(s.origin.origin.vintage))
            for s in scores
        ]
    )
    common_change = pl.concat(
        [
            common_change_shares(panel, year)
            for s in scores
            for panel, year in scored_years(s.origin)
        ]
    ).unique(["vintage", "gas", "year", "huvudsektor"], maintain_order=True)
    return BacktestResult(
        rows, summarise(rows, scores, common_change), parameters, scores, common_change
    )


def scored_years(origin: BacktestOrigin) -> tuple[tuple[SectorPanel, int], ...]:
    """The origin release with its last year, and the later release with the year it adds."""
    return (
        (origin.origin, origin.origin.last_year),
        (origin.actual, origin.origin.last_year + 1),
    )


def summary_schema(*columns: str) -> dict:
    return {c: SUMMARY_SCHEMA[c] for c in columns}


def summarise(
    rows: pl.DataFrame, scores: list[OriginScores], common_change: pl.DataFrame
) -> pl.DataFrame:
    summary = (
        rows.group_by("origin_vintage", "actual_vintage", "gas", "method")
        .agg(
            kommuner=pl.col("kommun_kod").n_unique(),
            mae_t=pl.col("error_t").abs().mean(),
            mae_pct=pl.col("abs_error_pct").mean(),
            median_ae_t=pl.col("error_t").abs().median(),
            median_ae_pct=pl.col("abs_error_pct").median(),
            coverage_80=pl.col("covered_80").cast(pl.Float64).mean(),
            coverage_95=pl.col("covered_95").cast(pl.Float64).mean(),
        )
        .with_columns(
            **{
                f"mae_ratio_to_{reference}": pl.col("mae_t")
                / pl.col("mae_t")
                .filter(pl.col("method") == reference)
                .first()
                .over("origin_vintage", "gas")
                for reference in (LAD, PERSISTENCE, NATIONAL_SCALING)
            }
        )
    )
    other = other_origin_coverage(rows, scores)
    shares = year_common_change_shares(common_change)
    make_up = pl.DataFrame(
        [
            {
                "origin_vintage": s.origin.origin.vintage,
                "gas": s.origin.origin.gas,
                **{
                    column: shares[(panel.vintage, panel.gas, year)]
                    for column, (panel, year) in zip(
                        ("origin_common_change_share", "actual_common_change_share"),
                        scored_years(s.origin),
                        strict=True,
                    )
                },
            }
            for s in scores
        ],
        schema=summary_schema(
            "origin_vintage", "gas", "origin_common_change_share", "actual_common_change_share"
        ),
    )
    return (
        summary.join(other, on=["origin_vintage", "gas", "method"], how="left")
        .join(make_up, on=["origin_vintage", "gas"], how="left")
        .select([pl.col(c).cast(t) for c, t in SUMMARY_SCHEMA.items()])
        .sort("gas", "origin_vintage", "method")
    )


def other_origin_coverage(rows: pl.DataFrame, scores: list[OriginScores]) -> pl.DataFrame:
    """Coverage of each origin's ranges when q comes from every OTHER origin's scores (any gas:
    the scores are relative errors): how the ranges transfer to a year they were not set on."""
    out = []
    for current in scores:
        for method in WITH_RANGES:
            frame = rows.filter(
                (pl.col("origin_vintage") == current.origin.origin.vintage)
                & (pl.col("gas") == current.origin.origin.gas)
                & (pl.col("method") == method)
            )
            others = [
                s.calibration.totals[config]
                for s in scores
                if s is not current
                for config in s.calibration.totals
                if (config == "n1_m0") == (method == NOWCAST)
            ]
            if not others or not frame.height:
                continue
            pooled = np.concatenate(others)
            relative = (
                (frame["actual_t"] - frame["predicted_t"]).abs() / frame["predicted_t"]
            ).to_numpy()
            out.append(
                {
                    "origin_vintage": current.origin.origin.vintage,
                    "gas": current.origin.origin.gas,
                    "method": method,
                    **{
                        f"coverage_{round(level * 100)}_other_origins": float(
                            np.mean(relative <= conformal_quantile(pooled, level))
                        )
                        for level in LEVELS
                    },
                }
            )
    schema = summary_schema(
        "origin_vintage",
        "gas",
        "method",
        "coverage_80_other_origins",
        "coverage_95_other_origins",
    )
    return pl.DataFrame(out, schema=schema)
