"""Trajectories for every kommun at once: one preset, one as-of year, numpy throughout.

`compute_trajectories(emissions, preset, as_of_year, exclusions=None)` returns a
`TrajectoryResult` with a one-row-per-kommun `summary` and a `yearly` path table.

The work happens on a dense (kommun x calendar year) matrix, NaN where SMHI has no value,
from the first data year to the preset's end year. Each method is a handful of array
expressions on it; nothing loops over kommuner.

Conventions (methods.md §3):
- "As of" means what it says: data after `as_of_year` is ignored, as if computed then.
- Fractional years become dates with 365-day years: 1 Jan of the whole year plus
  floor(fraction * 365) days (2067.116 -> 2067-02-12, Klimatkollen's rounding).
- carbon_law and fixed_rate_path compare DISCRETE annual sums (Klimatkollen since 2025);
  carbon_budget INTEGRATES with the trapezoid rule, as Klimatkollen's budget method did.
  The two are kept as published so that the acceptance figures reproduce.
- A kommun already at zero (its trend at the last data year is 0 and not rising) has
  reached net zero at its last data year: net_zero_date is 1 Jan of that year.

Summary columns (one row per kommun; every missing value is null):
  last_data_year      the last year with data up to as_of_year (the trend's anchor year)
  trend_years         the years the trend was fitted on, e.g. "2015,2020,2021,2022,2023,2024"
  slope_t_per_year    the fitted slope (LAD or OLS)
  trend_sum_t the trend summed (carbon_budget: integrated) from the as-of year (carbon_budget:
                      max(budget_year, as-of)) to the end year (fixed_rate_path: to path_end_year)
  allowed_sum_t       the allowed path over the same span; carbon_budget: the remaining budget
  meets_paris         trend_sum_t <= allowed_sum_t
  net_zero_date       where the trend line reaches zero; null when it never does
  budget_t            what may still be emitted: allowed_sum_t
  budget_exhausted_date  when the cumulative trend passes budget_t; null when it never does
  required_reduction_pct the path's yearly cut in %
  gap_2030_t          trend(2030) - allowed(2030)
  trend_intercept_t   the raw fitted value at last_data_year, before anchoring
  scope_status        'complete', or why the scope could not be built (outputs then null)
  excluded_t tonnes excluded (e.g. SSAB) in last_data_year; null when the preset excludes nothing
  budget_negative carbon_budget's remaining budget is below zero (kept, never clipped)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from pipelines.defs.trajectory.lad import LineFit, lad_fit, ols_fit
from pipelines.defs.trajectory.presets import MethodPreset

SUMMARY_COLUMNS = (
    "kommun_kod",
    "method",
    "as_of_year",
    "last_data_year",
    "gas",
    "trend_years",
    "slope_t_per_year",
    "trend_sum_t",
    "allowed_sum_t",
    "meets_paris",
    "net_zero_date",
    "budget_t",
    "budget_exhausted_date",
    "required_reduction_pct",
    "gap_2030_t",
    # extras after the fixed BI columns
    "trend_intercept_t",
    "trend_method",
    "reduction_rate",
    "scope_status",
    "excluded_t",
    "budget_negative",
)
YEARLY_COLUMNS = (
    "kommun_kod",
    "method",
    "year",
    "emissions_t",
    "emissions_kind",
    "trend_t",
    "allowed_t",
)
SUMMARY_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "method": pl.Utf8,
    "as_of_year": pl.Int64,
    "last_data_year": pl.Int64,
    "gas": pl.Utf8,
    "trend_years": pl.Utf8,
    "slope_t_per_year": pl.Float64,
    "trend_sum_t": pl.Float64,
    "allowed_sum_t": pl.Float64,
    "meets_paris": pl.Boolean,
    "net_zero_date": pl.Date,
    "budget_t": pl.Float64,
    "budget_exhausted_date": pl.Date,
    "required_reduction_pct": pl.Float64,
    "gap_2030_t": pl.Float64,
    "trend_intercept_t": pl.Float64,
    "trend_method": pl.Utf8,
    "reduction_rate": pl.Float64,
    "scope_status": pl.Utf8,
    "excluded_t": pl.Float64,
    "budget_negative": pl.Boolean,
}
YEARLY_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "method": pl.Utf8,
    "year": pl.Int64,
    "emissions_t": pl.Float64,
    "emissions_kind": pl.Utf8,
    "trend_t": pl.Float64,
    "allowed_t": pl.Float64,
}
GOAL_YEAR = 2030  # Klimatneutrala Borlänge 2030: gap_2030_t
COMPLETE = "complete"
DAYS_PER_YEAR = 365  # Klimatkollen's date arithmetic


class TrajectoryInputError(ValueError):
    """Emissions (or exclusions) that the methods cannot be computed on; names the kommuner."""


@dataclass(frozen=True)
class TrajectoryResult:
    summary: pl.DataFrame  # SUMMARY_COLUMNS, one row per kommun
    yearly: pl.DataFrame  # YEARLY_COLUMNS, one row per kommun and year


@dataclass(frozen=True)
class Panel:
    """Emissions as a dense (kommun x year) matrix; NaN where there is no value."""

    kommuner: np.ndarray  # (K,) str
    years: np.ndarray  # (Y,) int, consecutive calendar years
    values: np.ndarray  # (K, Y) float

    @cached_property
    def present(self) -> np.ndarray:
        return ~np.isnan(self.values)

    @cached_property
    def last_year(self) -> np.ndarray:
        return self.years[last_index(self.present)]

    @cached_property
    def first_year(self) -> np.ndarray:
        return self.years[self.present.argmax(axis=1)]

    @cached_property
    def last_value(self) -> np.ndarray:
        return self.values[np.arange(len(self.kommuner)), last_index(self.present)]

    def column(self, year: int) -> int:
        return int(year - self.years[0])


@dataclass(frozen=True)
class Trend:
    """The fitted trend and what every method derives from it."""

    fit: LineFit
    window: np.ndarray  # (K, Y) years the fit used
    level: np.ndarray  # (K,) the line's value at the last data year (anchored or raw)
    values: np.ndarray  # (K, Y) max(0, line) on the whole calendar axis
    estimated: np.ndarray  # (K, Y) observed where present, trend after the last data year


# ---------------------------------------------------------------- entry point


def compute_trajectories(
    emissions: pl.DataFrame,
    preset: MethodPreset,
    as_of_year: int,
    exclusions: pl.DataFrame | None = None,
) -> TrajectoryResult:
    """Every kommun's trajectory under one preset (see the module docstring)."""
    if as_of_year > preset.end_year:
        raise TrajectoryInputError(
            f"as_of_year {as_of_year} is after {preset.method}'s end year {preset.end_year}"
        )
    known = clean_emissions(emissions).filter(pl.col("year") <= as_of_year)
    if preset.kind != "carbon_budget" and preset.kommun_kod:
        known = known.filter(
            pl.col("kommun_kod").is_in(list(preset.kommun_kod))
        )  # shares need everyone
    last_years = dict(known.group_by("kommun_kod").agg(pl.col("year").max()).rows())
    known, scope = apply_scope(known, preset, exclusions)
    if known.is_empty():
        return assemble(preset, as_of_year, None, None, {}, scope, last_years)
    panel = to_panel(
        known, first_year=preset.path_start_year, last_year=max(preset.end_year, as_of_year)
    )
    trend = fit_trend(panel, preset)
    outputs = METHODS[preset.kind](panel, trend, preset, as_of_year)
    return assemble(preset, as_of_year, panel, trend, outputs, scope, last_years)


# ---------------------------------------------------------------- input


def clean_emissions(emissions: pl.DataFrame) -> pl.DataFrame:
    """kommun_kod (4-digit text), year (Int64), tonnes (Float64); no nulls or duplicates."""
    missing = [c for c in ("kommun_kod", "year", "tonnes") if c not in emissions.columns]
    if missing:
        raise TrajectoryInputError(f"emissions lack column(s) {', '.join(missing)}")
    frame = emissions.select(
        pl.col("kommun_kod").cast(pl.Utf8).str.zfill(4),
        pl.col("year").cast(pl.Int64),
        pl.col("tonnes").cast(pl.Float64),
    )
    nulls = frame.filter(pl.any_horizontal(pl.all().is_null()) | pl.col("tonnes").is_nan())
    if not nulls.is_empty():
        raise TrajectoryInputError(f"emissions have empty values, e.g. {nulls.row(0)}")
    duplicates = frame.filter(pl.struct("kommun_kod", "year").is_duplicated()).unique(
        ["kommun_kod", "year"]
    )
    if not duplicates.is_empty():
        pairs = ", ".join(
            f"{k} {y}"
            for k, y in duplicates.select("kommun_kod", "year")
            .sort("kommun_kod", "year")
            .rows()[:10]
        )
        raise TrajectoryInputError(f"duplicate kommun-year rows: {pairs}")
    return frame


def apply_scope(
    emissions: pl.DataFrame, preset: MethodPreset, exclusions: pl.DataFrame | None
) -> tuple[pl.DataFrame, dict[str, tuple[str, float | None]]]:
    """Subtract what the preset excludes. Returns the scoped emissions and, per kommun,
    (scope_status, excluded_t at the last data year). Kommuner without any exclusion figure
    are dropped from the emissions and reported as 'not met': their scope cannot be built."""
    kommuner = emissions.get_column("kommun_kod").unique().to_list()
    if not preset.excludes:
        return emissions, {k: (COMPLETE, None) for k in kommuner}
    per_year = scope_exclusions(exclusions)
    covered = set(per_year.get_column("kommun_kod").to_list())
    scope = {
        k: (
            f"not met: no {preset.excludes} partner submission, so {preset.excludes} cannot be "
            "excluded",
            None,
        )
        for k in kommuner
        if k not in covered
    }
    joined = emissions.filter(pl.col("kommun_kod").is_in(list(covered))).join(
        per_year, on=["kommun_kod", "year"], how="left"
    )
    relevant_from = min(preset.trend_start_year, preset.path_start_year or preset.trend_start_year)
    for (kommun,), rows in joined.group_by(["kommun_kod"]):
        gaps = rows.filter(pl.col("excluded").is_null() & (pl.col("year") >= relevant_from))
        status = (
            COMPLETE
            if gaps.is_empty()
            else (
                f"partial: no {preset.excludes} figure for "
                f"{', '.join(map(str, sorted(gaps['year'].to_list())))}, so those years are left "
                "out"
            )
        )
        kept = rows.drop_nulls("excluded")
        last = kept.sort("year").tail(1).get_column("excluded").to_list()
        scope[kommun] = (status, last[0] if last else None)
    scoped = joined.drop_nulls("excluded").select(
        "kommun_kod", "year", (pl.col("tonnes") - pl.col("excluded")).alias("tonnes")
    )
    return scoped, scope


def scope_exclusions(exclusions: pl.DataFrame | None) -> pl.DataFrame:
    """Exclusion tonnes summed per kommun and year (several plants or sources add up)."""
    if exclusions is None or exclusions.is_empty():
        return pl.DataFrame(
            schema={"kommun_kod": pl.Utf8, "year": pl.Int64, "excluded": pl.Float64}
        )
    missing = [c for c in ("kommun_kod", "year", "tonnes") if c not in exclusions.columns]
    if missing:
        raise TrajectoryInputError(f"exclusions lack column(s) {', '.join(missing)}")
    return (
        exclusions.select(
            pl.col("kommun_kod").cast(pl.Utf8).str.zfill(4),
            pl.col("year").cast(pl.Int64),
            pl.col("tonnes").cast(pl.Float64),
        )
        .group_by("kommun_kod", "year")
        .agg(pl.col("tonnes").sum().alias("excluded"))
    )


def to_panel(emissions: pl.DataFrame, last_year: int, first_year: int | None = None) -> Panel:
    """The calendar axis: from the first data year (or an earlier `first_year`) to `last_year`."""
    kommuner = np.sort(emissions.get_column("kommun_kod").unique().to_numpy().astype(str))
    first_year = min(int(emissions.get_column("year").min()), first_year or 10_000)
    years = np.arange(first_year, last_year + 1)
    values = np.full((len(kommuner), len(years)), np.nan)
    rows = np.searchsorted(kommuner, emissions.get_column("kommun_kod").to_numpy().astype(str))
    values[rows, emissions.get_column("year").to_numpy() - first_year] = emissions.get_column(
        "tonnes"
    ).to_numpy()
    return Panel(kommuner, years, values)


def last_index(present: np.ndarray) -> np.ndarray:
    return present.shape[1] - 1 - present[:, ::-1].argmax(axis=1)


# ---------------------------------------------------------------- trend


def fit_trend(panel: Panel, preset: MethodPreset) -> Trend:
    window = panel.present & (panel.years >= preset.trend_start_year)
    too_few = panel.kommuner[window.sum(axis=1) < 2]
    if len(too_few):
        raise TrajectoryInputError(
            f"{preset.method}: fewer than 2 years from {preset.trend_start_year} to fit a trend "
            f"for kommun {', '.join(too_few[:20])}{' ...' if len(too_few) > 20 else ''}"
        )
    used = window.any(axis=0)  # only the fit's columns: LAD cost grows with years squared
    fitter = lad_fit if preset.trend_method == "lad" else ols_fit
    last_year = panel.last_year.astype(float)
    fit = fitter(panel.years[used], panel.values[:, used], window[:, used], last_year)
    # Klimatkollen's LAD trend is shifted through the last observed value; its OLS trend is not.
    level = fit.intercept if preset.kind == "carbon_budget" else panel.last_value
    line = level[:, None] + fit.slope[:, None] * (panel.years[None, :] - last_year[:, None])
    values = np.maximum(line, 0.0)
    after_last = panel.years[None, :] > panel.last_year[:, None]
    estimated = np.where(panel.present, panel.values, np.where(after_last, values, np.nan))
    return Trend(fit, window, level, values, estimated)


# ---------------------------------------------------------------- methods
# Each returns the per-kommun outputs as (K,) arrays plus the (K, Y) allowed path.


def carbon_law(panel: Panel, trend: Trend, preset: MethodPreset, as_of: int) -> dict:
    """methods.md §3.1: the path falls at a fixed rate from the as-of year's emissions."""
    base = trend.estimated[:, panel.column(as_of)]  # observed if that year has data, else the trend
    allowed = fixed_rate_path_from(
        panel.years, base, as_of, as_of, preset.end_year, preset.reduction_rate
    )
    return annual_sum_comparison(panel, trend, preset, allowed, as_of, preset.end_year)


def fixed_rate_path(panel: Panel, trend: Trend, preset: MethodPreset, as_of: int) -> dict:
    """A kommun's own fixed-rate path from a base year, compared from the as-of year to its end."""
    if as_of > preset.path_end_year:
        raise TrajectoryInputError(
            f"as_of_year {as_of} is after {preset.method}'s path end {preset.path_end_year}"
        )
    column = panel.column(preset.path_start_year)
    base = np.where(panel.present[:, column], panel.values[:, column], trend.values[:, column])
    allowed = fixed_rate_path_from(
        panel.years,
        base,
        preset.path_start_year,
        preset.path_start_year,
        preset.path_end_year,
        preset.reduction_rate,
    )
    return annual_sum_comparison(panel, trend, preset, allowed, as_of, preset.path_end_year)


def fixed_rate_path_from(years, base, base_year, first, last, rate) -> np.ndarray:
    """base * (1 - rate)^(t - base_year) for first <= t <= last, NaN elsewhere."""
    path = base[:, None] * (1.0 - rate) ** (years[None, :] - base_year)
    return np.where((years >= first) & (years <= last), path, np.nan)


def annual_sum_comparison(
    panel: Panel, trend: Trend, preset: MethodPreset, allowed: np.ndarray, start: int, stop: int
) -> dict:
    """The LAD methods' verdict: discrete sums of the trend and of the path over start..stop."""
    span = (panel.years >= start) & (panel.years <= stop)
    trend_in_span = np.where(span, trend.values, 0.0)
    trend_sum = trend_in_span.sum(axis=1)
    allowed_sum = np.where(span, allowed, 0.0).sum(axis=1)
    return {
        "allowed": allowed,
        "trend_sum_t": trend_sum,
        "allowed_sum_t": allowed_sum,
        "budget_t": allowed_sum,
        "budget_exhausted_year": annual_crossing(panel.years, trend_in_span, allowed_sum),
        "required_reduction_pct": np.full(len(trend_sum), 100.0 * preset.reduction_rate),
        "net_zero_year": net_zero_year(trend.level, trend.fit.slope, panel.last_year),
        "budget_negative": np.zeros(len(trend_sum), dtype=bool),
    }


def annual_crossing(years: np.ndarray, annual: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Fractional year at which the running sum of annual values first exceeds `total`,
    linear inside the year (year Y's emissions spread evenly over Y); NaN if never."""
    cumulative = annual.cumsum(axis=1)
    over = cumulative > total[:, None]
    first = over.argmax(axis=1)
    rows = np.arange(len(total))
    before = np.where(first > 0, cumulative[rows, np.maximum(first - 1, 0)], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = (total - before) / annual[rows, first]
    return np.where(over.any(axis=1), years[first] + np.clip(fraction, 0.0, 1.0), np.nan)


def carbon_budget(panel: Panel, trend: Trend, preset: MethodPreset, as_of: int) -> dict:
    """methods.md §3.2, in Klimatkollen's execution order."""
    remaining = preset.national_budget_net_t * grandfathered_shares(
        panel, preset
    ) - spent_since_budget_year(panel, trend, preset.budget_year, as_of)
    start = max(preset.budget_year, as_of)
    start_value = trend.estimated[:, panel.column(start)]
    span = (panel.years >= start) & (panel.years <= preset.end_year)
    trend_sum = trapezoid(np.where(span, trend.estimated, np.nan))
    positive = remaining > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        decay = np.where(positive, start_value / remaining, np.nan)
        allowed = np.where(
            span, start_value[:, None] * np.exp(-decay[:, None] * (panel.years - start)), np.nan
        )
        required = 100.0 * (1.0 - np.exp(-decay))
    return {
        "allowed": allowed,
        "trend_sum_t": trend_sum,
        "allowed_sum_t": remaining,
        "budget_t": remaining,
        "budget_exhausted_year": budget_runs_out(panel, trend, preset, remaining, start, trend_sum),
        "required_reduction_pct": required,
        "net_zero_year": net_zero_year(trend.level, trend.fit.slope, panel.last_year),
        "budget_negative": remaining < 0,
    }


def grandfathered_shares(panel: Panel, preset: MethodPreset) -> np.ndarray:
    """Each kommun's share of all input kommuners' emissions, share_start_year..last data year
    (the years present; a kommun's own missing year lowers its share)."""
    window = panel.present & (panel.years >= preset.share_start_year)
    own = np.where(window, panel.values, 0.0).sum(axis=1)
    return own / own.sum()


def spent_since_budget_year(panel: Panel, trend: Trend, budget_year: int, as_of: int) -> np.ndarray:
    """Emissions from 1 Jan budget_year to 1 Jan as_of: observed years as they are, and the
    approximated years as the trapezoid of the approximated series up to the as-of year."""
    years = panel.years
    observed = panel.present & (years >= budget_year) & (years < as_of)
    spent = np.where(observed, panel.values, 0.0).sum(axis=1)
    estimated = trend.estimated
    segment = 0.5 * (estimated[:, :-1] + estimated[:, 1:])  # [t, t+1], t = years[:-1]
    approximated = (
        (years[None, :-1] > panel.last_year[:, None])
        & (years[:-1] >= budget_year)
        & (years[:-1] < as_of)
    )
    return spent + np.where(approximated, segment, 0.0).sum(axis=1)


def budget_runs_out(
    panel: Panel,
    trend: Trend,
    preset: MethodPreset,
    remaining: np.ndarray,
    start: int,
    trend_sum: np.ndarray,
) -> np.ndarray:
    """Klimatkollen: when the integrated trend exceeds the budget, take the first year by
    trapezoid and solve the straight line's integral from start+1 for the rest."""
    first_year = 0.5 * (
        trend.estimated[:, panel.column(start)]
        + trend.estimated[:, panel.column(min(start + 1, preset.end_year))]
    )
    rest = remaining - first_year
    slope, level, last_year = trend.fit.slope, trend.level, panel.last_year
    u1 = start + 1 - last_year  # x1 on the axis centred on the last data year
    with np.errstate(invalid="ignore", divide="ignore"):
        at_x1 = slope * u1 + level
        u2 = np.where(
            slope != 0, (np.sqrt(2 * rest * slope + at_x1**2) - level) / slope, u1 + rest / level
        )
    runs_out = np.where(trend_sum > remaining, last_year + u2, np.nan)
    # A negative remaining budget was used up before the path could start. Reported as
    # 1 Jan of the budget year ("no budget left at any point we model"), not a date
    # invented inside the period we only know as annual totals.
    return np.where(remaining < 0, float(preset.budget_year), runs_out)


def trapezoid(values: np.ndarray) -> np.ndarray:
    """Row-wise trapezoid integral over unit-spaced years; NaN cells are outside the span."""
    segments = 0.5 * (values[:, :-1] + values[:, 1:])
    return np.where(np.isnan(segments), 0.0, segments).sum(axis=1)


def net_zero_year(level: np.ndarray, slope: np.ndarray, last_year: np.ndarray) -> np.ndarray:
    """Where the trend line reaches zero: last_year - level/slope for a falling line; the last
    data year for a line already at zero and not rising; NaN (never) otherwise."""
    with np.errstate(invalid="ignore", divide="ignore"):
        crossing = last_year - level / slope
    already_zero = (level <= 0) & (slope == 0)
    return np.where(slope < 0, crossing, np.where(already_zero, last_year.astype(float), np.nan))


METHODS = {
    "carbon_law": carbon_law,
    "carbon_budget": carbon_budget,
    "fixed_rate_path": fixed_rate_path,
}


# ---------------------------------------------------------------- output


def assemble(
    preset: MethodPreset,
    as_of: int,
    panel: Panel | None,
    trend: Trend | None,
    outputs: dict,
    scope: dict[str, tuple[str, float | None]],
    last_years: dict[str, int],
) -> TrajectoryResult:
    summary = pl.concat(
        [
            computed_summary(preset, as_of, panel, trend, outputs, scope),
            not_met_summary(preset, as_of, panel, scope, last_years),
        ],
        how="vertical",
    )
    yearly = yearly_paths(preset, as_of, panel, trend, outputs)
    if preset.kommun_kod:
        summary = summary.filter(pl.col("kommun_kod").is_in(list(preset.kommun_kod)))
        yearly = yearly.filter(pl.col("kommun_kod").is_in(list(preset.kommun_kod)))
    return TrajectoryResult(summary.sort("kommun_kod"), yearly.sort("kommun_kod", "year"))


def computed_summary(preset, as_of, panel, trend, outputs, scope) -> pl.DataFrame:
    if panel is None:
        return pl.DataFrame(schema=SUMMARY_SCHEMA)
    k = len(panel.kommuner)
    column = panel.column(GOAL_YEAR) if panel.years[0] <= GOAL_YEAR <= panel.years[-1] else None
    gap = (
        (trend.values[:, column] - outputs["allowed"][:, column])
        if column is not None
        else np.full(k, np.nan)
    )
    data = {
        "kommun_kod": panel.kommuner.tolist(),
        "method": [preset.method] * k,
        "as_of_year": np.full(k, as_of),
        "last_data_year": panel.last_year,
        "gas": [preset.gas] * k,
        "trend_years": trend_year_lists(panel.years, trend.window),
        "slope_t_per_year": trend.fit.slope,
        "trend_sum_t": outputs["trend_sum_t"],
        "allowed_sum_t": outputs["allowed_sum_t"],
        "meets_paris": nullable_less_equal(outputs["trend_sum_t"], outputs["allowed_sum_t"]),
        "net_zero_date": fractional_years_to_dates(outputs["net_zero_year"]),
        "budget_t": outputs["budget_t"],
        "budget_exhausted_date": fractional_years_to_dates(outputs["budget_exhausted_year"]),
        "required_reduction_pct": outputs["required_reduction_pct"],
        "gap_2030_t": gap,
        "trend_intercept_t": trend.fit.intercept,
        "trend_method": [preset.trend_method] * k,
        "reduction_rate": np.full(
            k, np.nan if preset.reduction_rate is None else preset.reduction_rate
        ),
        "scope_status": [scope[c][0] for c in panel.kommuner],
        "excluded_t": np.array(
            [np.nan if scope[c][1] is None else scope[c][1] for c in panel.kommuner]
        ),
        "budget_negative": outputs["budget_negative"],
    }
    return frame_from_arrays(data, SUMMARY_SCHEMA)


def not_met_summary(preset, as_of, panel, scope, last_years) -> pl.DataFrame:
    """Kommuner whose scope cannot be built: identity columns, the last data year and the
    reason; every computed output stays null."""
    computed = set() if panel is None else set(panel.kommuner.tolist())
    missing = sorted(c for c in scope if c not in computed)
    rows = {name: [None] * len(missing) for name in SUMMARY_COLUMNS}
    rows.update(
        kommun_kod=missing,
        method=[preset.method] * len(missing),
        as_of_year=[as_of] * len(missing),
        last_data_year=[last_years.get(c) for c in missing],
        gas=[preset.gas] * len(missing),
        trend_method=[preset.trend_method] * len(missing),
        reduction_rate=[preset.reduction_rate] * len(missing),
        scope_status=[scope[c][0] for c in missing],
    )
    return pl.DataFrame(rows, schema=SUMMARY_SCHEMA)


def yearly_paths(preset, as_of, panel, trend, outputs) -> pl.DataFrame:
    """Rows from each kommun's first data year to the end year. Years SMHI skipped (2016-2019
    in the 2026 release) keep a row with empty emissions and kind, so the axis is complete."""
    if panel is None:
        return pl.DataFrame(schema=YEARLY_SCHEMA)
    years = np.broadcast_to(panel.years, panel.values.shape)
    keep = years >= panel.first_year[:, None]
    after_last = years > panel.last_year[:, None]
    kind = np.where(panel.present, 0, np.where(after_last, np.where(years <= as_of, 1, 2), 3))
    trend_from = np.where(trend.window, years, np.iinfo(np.int64).max).min(axis=1)
    rows = np.broadcast_to(np.arange(len(panel.kommuner))[:, None], years.shape)[keep]
    # Text columns by gathering from tiny lookup Series: far cheaper than numpy str arrays.
    return pl.DataFrame(
        [
            pl.Series("kommun_kod", panel.kommuner.tolist(), dtype=pl.Utf8).gather(rows),
            pl.repeat(preset.method, int(keep.sum()), dtype=pl.Utf8, eager=True).alias("method"),
            pl.Series("year", years[keep], dtype=pl.Int64),
            float_series("emissions_t", trend.estimated[keep]),
            pl.Series(
                "emissions_kind", ["actual", "approximated", "trend", None], dtype=pl.Utf8
            ).gather(kind[keep]),
            float_series(
                "trend_t", np.where(years >= trend_from[:, None], trend.values, np.nan)[keep]
            ),
            float_series("allowed_t", outputs["allowed"][keep]),
        ]
    )


def float_series(name: str, values: np.ndarray) -> pl.Series:
    return pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)


def nullable_less_equal(left: np.ndarray, right: np.ndarray) -> pl.Series:
    """left <= right, null where either side is unknown (never a silent False)."""
    known = ~(np.isnan(left) | np.isnan(right))
    return pl.select(pl.when(pl.Series(known)).then(pl.Series(left <= right))).to_series()


def trend_year_lists(years: np.ndarray, window: np.ndarray) -> list[str]:
    """'2015,2020,2021,...': the years each kommun's fit used, readable in a BI table."""
    text = years.astype(str)
    return [",".join(text[row]) for row in window]


def fractional_years_to_dates(fractional: np.ndarray) -> pl.Series:
    """2067.116 -> 2067-02-12: 1 Jan of the year + floor(fraction * 365) days. NaN -> null,
    and so are crossings after year 9999, which no date type downstream can hold."""
    usable = np.isfinite(fractional) & (fractional < 10000) & (fractional >= 1)
    whole = np.floor(np.where(usable, fractional, 2000.0))
    days = np.floor((np.where(usable, fractional, 2000.0) - whole) * DAYS_PER_YEAR)
    dates = (whole.astype(np.int64) - 1970).astype("datetime64[Y]").astype(
        "datetime64[D]"
    ) + days.astype("timedelta64[D]")
    return pl.Series(np.where(usable, dates, np.datetime64("NaT")), dtype=pl.Date)


def frame_from_arrays(data: dict, schema: dict) -> pl.DataFrame:
    """NaN becomes null: a missing number is null, never a NaN or a sentinel."""
    columns = []
    for name, dtype in schema.items():
        values = data[name]
        if isinstance(values, pl.Series):
            columns.append(values.alias(name).cast(dtype))
        elif dtype == pl.Float64:
            columns.append(float_series(name, np.asarray(values, dtype=float)))
        else:
            columns.append(pl.Series(name, values, dtype=dtype, strict=False))
    return pl.DataFrame(columns)
